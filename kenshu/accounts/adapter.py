from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Kenshu's allauth adapter. Self-registration details come with the accounts issue."""
