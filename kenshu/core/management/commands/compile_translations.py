"""Compile the project's .po catalogues into .mo files, without GNU gettext.

``manage.py compilemessages`` needs ``msgfmt``; a fresh machine may not have
it. This command uses ``polib`` (pure Python) instead and compiles every
``*.po`` under ``settings.LOCALE_PATHS`` and the ``locale/`` folder of each
Kenshu app. Fuzzy and untranslated entries are
left out of the .mo (as ``msgfmt`` does), so they show in English.

    manage.py compile_translations            # compile everything
    manage.py compile_translations --stale    # only catalogues newer than their .mo
"""

from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


@dataclass(frozen=True)
class CompiledCatalogue:
    po_path: Path
    mo_path: Path
    translated: int
    fuzzy: int
    untranslated: int


def _is_stale(po_path: Path, mo_path: Path) -> bool:
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def catalogues(locale_paths) -> list[Path]:
    """Every .po file under the given locale directories, sorted."""
    found: list[Path] = []
    for locale_path in locale_paths:
        found.extend(sorted(Path(locale_path).rglob("*.po")))
    return found


def compile_catalogue(po_path: Path) -> CompiledCatalogue:
    """Write ``<name>.mo`` next to ``po_path``; fuzzy and obsolete entries are skipped."""
    try:
        po = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read {po_path}: {exc}") from exc
    mo_path = po_path.with_suffix(".mo")
    # Write next to the target and rename, so that a reader never sees half a file.
    partial = mo_path.with_name(f".{mo_path.name}.partial")
    po.save_as_mofile(str(partial))
    partial.replace(mo_path)
    live = [entry for entry in po if not entry.obsolete]
    fuzzy = sum(1 for entry in live if entry.fuzzy)
    translated = len(po.translated_entries())
    return CompiledCatalogue(
        po_path=po_path,
        mo_path=mo_path,
        translated=translated,
        fuzzy=fuzzy,
        untranslated=len(live) - translated - fuzzy,
    )


def project_locale_paths() -> list[Path]:
    """settings.LOCALE_PATHS plus the ``locale/`` folder of every Kenshu app."""
    from django.apps import apps

    paths = [Path(p) for p in settings.LOCALE_PATHS]
    for app in apps.get_app_configs():
        app_locale = Path(app.path) / "locale"
        if app.name.startswith("kenshu.") and app_locale.is_dir():
            paths.append(app_locale)
    return paths


def compile_catalogues(locale_paths=None, *, only_stale: bool = False) -> list[CompiledCatalogue]:
    """Compile the catalogues under ``locale_paths`` (default: the project's and its apps')."""
    paths = project_locale_paths() if locale_paths is None else locale_paths
    return [
        compile_catalogue(po_path)
        for po_path in catalogues(paths)
        if not only_stale or _is_stale(po_path, po_path.with_suffix(".mo"))
    ]


def ensure_compiled() -> list[CompiledCatalogue]:
    """Compile stale catalogues and make Django reload them (for test sessions)."""
    from django.utils.translation.reloader import translation_file_changed

    compiled = compile_catalogues(only_stale=True)
    if compiled:
        translation_file_changed(sender=None, file_path=compiled[0].mo_path)
    return compiled


class Command(BaseCommand):
    # Runs during install, before the URL configuration need be importable.
    requires_system_checks: list[str] = []
    help = "Compile every .po file under LOCALE_PATHS into a .mo file (pure Python, polib)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only compile catalogues whose .mo is missing or older than the .po.",
        )

    def handle(self, *args, stale: bool = False, verbosity: int = 1, **options):
        if not settings.LOCALE_PATHS:
            raise CommandError("settings.LOCALE_PATHS is empty: nothing to compile.")
        for locale_path in settings.LOCALE_PATHS:
            if not Path(locale_path).is_dir():
                self.stderr.write(self.style.WARNING(f"No directory at {locale_path}; skipped."))
        if not catalogues(settings.LOCALE_PATHS):
            self.stderr.write(self.style.WARNING("No .po files found under LOCALE_PATHS."))
            return
        results = compile_catalogues(only_stale=stale)
        if verbosity < 1:
            return
        if not results:
            self.stdout.write("All translations are up to date.")
        for result in results:
            line = (
                f"Compiled {result.po_path} -> {result.mo_path.name}: "
                f"{result.translated} translated"
            )
            if result.fuzzy:
                line += f", {result.fuzzy} fuzzy (skipped)"
            if result.untranslated:
                line += f", {result.untranslated} untranslated"
            self.stdout.write(self.style.SUCCESS(line) if not result.untranslated else line)
