"""Static files for production: whitenoise's compressed, hashed (manifest) storage.

The vendored Bootstrap files end with a sourceMappingURL comment, but the .map files are
not shipped (no CDN, no sources on union intranets), so collectstatic would fail on them.
This storage hashes every url()/@import reference as usual and leaves source-map comments alone.
"""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    def keep(pattern) -> bool:
        text = pattern if isinstance(pattern, str) else pattern[0]
        return "sourceMappingURL" not in text

    return tuple((extension, [p for p in found if keep(p)]) for extension, found in patterns)


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
