from django.conf import settings


def provider(request):
    """The provider's name for the header, footer and titles."""
    return {"provider_name": settings.KENSHU_PROVIDER_NAME}
