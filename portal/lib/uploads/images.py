"""Re-encoding pictures, so that only pixels (and how to show them) are kept.

Photos from phones carry GPS coordinates, camera serial numbers and editing
history in EXIF, XMP and comments; screenshots carry text chunks. A complainant
rarely knows, and a leaked location can put them at risk. Decoding the picture
and writing it again in the same format keeps the pixels and drops the rest,
and running only the sniffed format's decoder under a pixel limit keeps
hostile files from choosing which parser runs or how much memory it takes.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from .policy import MAX_IMAGE_PIXELS, MESSAGES

logger = logging.getLogger(__name__)

JPEG_QUALITY = 85
WEBP_QUALITY = 85

_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP's first image is lossless ("VP8L"), so screenshots stay sharp when re-encoded."""
    offset = 12
    while offset + 8 <= len(data):
        fourcc = data[offset : offset + 4]
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        offset += 8 + size + (size & 1)
    return False


def _is_complete(data: bytes, pillow_format: str) -> bool:
    """Whether the picture's bytes reach its end marker.

    Pillow refuses truncated pictures only while ``ImageFile.LOAD_TRUNCATED_IMAGES``
    is False, and WeasyPrint sets it to True for the whole process on import.
    So completeness is checked here, whatever else the process has imported.
    """
    if pillow_format == "PNG":
        return b"\x00\x00\x00\x00IEND\xaeB`\x82" in data
    if pillow_format == "JPEG":
        # 0xFF in compressed data is always escaped, so the last start-of-scan
        # is the main picture's, and its end-of-image marker must follow.
        start_of_scan = data.rfind(b"\xff\xda")
        return start_of_scan != -1 and data.find(b"\xff\xd9", start_of_scan) != -1
    return len(data) >= 8 + int.from_bytes(data[4:8], "little")  # WebP: the RIFF length


def _pixels_message_params(name: str, width: int, height: int) -> dict[str, Any]:
    return {"name": name, "width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 1_000_000}


def reencode_image(data: bytes, content_type: str, *, name: str) -> bytes:
    """Decode an image and write it again in the same format, upright and without metadata.

    Only the sniffed format's decoder is allowed to run, the pixel count is
    checked from the header before any pixels are decoded, and only the first
    frame of an animation is kept. The ICC colour profile and PNG transparency
    are kept: they describe how the pixels look, not who took them or where.
    """
    pillow_format = _PILLOW_FORMATS[content_type]
    unreadable = ValidationError(
        MESSAGES["image_unreadable"], code="image_unreadable", params={"name": name, "kind": pillow_format}
    )
    try:
        image = Image.open(io.BytesIO(data), formats=[pillow_format])
    except Image.DecompressionBombError:
        raise ValidationError(
            MESSAGES["image_bomb"], code="image_bomb", params={"name": name, "limit": MAX_IMAGE_PIXELS // 1_000_000}
        ) from None
    except Exception:
        # Hostile bytes can make a decoder fail in many ways; each means "not a
        # picture we can safely keep". Logged without the file's name.
        logger.info("Upload refused: %s could not be opened", pillow_format, exc_info=True)
        raise unreadable from None
    with image:
        if not _is_complete(data, pillow_format):
            raise unreadable
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(
                MESSAGES["image_too_many_pixels"],
                code="image_too_many_pixels",
                params=_pixels_message_params(name, width, height),
            )
        try:
            image.load()
            upright = _upright(image)
            return _encode(upright, pillow_format, lossless=pillow_format == "WEBP" and _webp_is_lossless(data))
        except Exception:
            logger.info("Upload refused: %s could not be decoded or re-encoded", pillow_format, exc_info=True)
            raise unreadable from None


def _upright(image: Image.Image) -> Image.Image:
    try:
        # In place: a 50-megapixel copy is 150 MB we need not hold twice.
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:
        # A damaged EXIF block should not cost the person their photo;
        # it is only the orientation we lose.
        logger.info("Upload: EXIF orientation unreadable, kept as stored", exc_info=True)
    return image


def _encode(image: Image.Image, pillow_format: str, *, lossless: bool) -> bytes:
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    # Some encoders fall back to image.info (JPEG comments, PNG profiles), so
    # empty it and pass on only what we chose to keep.
    image.info = {}
    options: dict[str, Any] = {}
    if pillow_format == "JPEG":
        if image.mode not in ("L", "RGB"):
            # CMYK and friends: browsers show them badly; the old profile no longer fits.
            image, icc_profile = image.convert("RGB"), None
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif pillow_format == "PNG":
        options.update(optimize=True)
        if transparency is not None:
            options["transparency"] = transparency
    else:
        if image.mode not in ("RGB", "RGBA"):
            image, icc_profile = image.convert("RGBA" if "A" in image.getbands() else "RGB"), None
        options.update({"lossless": True} if lossless else {"quality": WEBP_QUALITY})
    if icc_profile:
        options["icc_profile"] = icc_profile
    output = io.BytesIO()
    image.save(output, format=pillow_format, **options)
    return output.getvalue()
