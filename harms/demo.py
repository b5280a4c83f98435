"""Demo support resources. Real Singapore services, but check numbers before a real launch.

Their descriptions and opening hours, in the four languages, are in harms/seed_translations.py
(the names stay as they are in every language)."""

from .models import HarmCategory, SupportResource
from .seed_translations import (
    SUPPORT_RESOURCE_FIELDS,
    SUPPORT_RESOURCES,
    fill_translations,
    translated_columns,
)

RESOURCES = [
    {
        "name": "National Anti-Violence and Sexual Harassment Helpline",
        "phone": "1800 777 0000",
        "url": "https://www.msf.gov.sg/what-we-do/break-the-silence",
        "show_in_footer": True,
        "order": 1,
        "categories": ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"],
    },
    {
        "name": "Samaritans of Singapore (SOS)",
        "phone": "1767",
        "url": "https://www.sos.org.sg/",
        "show_in_footer": True,
        "order": 2,
        "categories": ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"],
    },
    {
        "name": "SHECARES@SCWO",
        "phone": "",
        "url": "https://www.scwo.org.sg/what-we-do/shecares-centre/",
        "show_in_footer": False,
        "order": 3,
        "categories": [
            "non-consensual-publication",
            "image-based-sexual-abuse",
            "doxxing",
            "cyberstalking",
        ],
    },
    {
        "name": "AWARE Sexual Assault Care Centre",
        "phone": "6779 0282",
        "url": "https://www.aware.org.sg/",
        "show_in_footer": False,
        "order": 4,
        "categories": ["image-based-sexual-abuse", "sexual-harassment", "unwelcome-interactions"],
    },
    {
        "name": "Tinkle Friend",
        "phone": "1800 274 4788",
        "url": "https://www.tinklefriend.sg/",
        "show_in_footer": False,
        "order": 5,
        "categories": ["online-grooming", "harmful-platforms", "sites-promoting-vice"],
    },
]


def seed(stdout) -> None:
    for spec in RESOURCES:
        spec = dict(spec)
        slugs = spec.pop("categories")
        texts = SUPPORT_RESOURCES[spec["name"]]
        resource, created = SupportResource.objects.get_or_create(
            name=spec["name"], defaults={**spec, **translated_columns(texts)}
        )
        if created:
            resource.categories.set(HarmCategory.objects.filter(slug__in=slugs))
        elif changed := fill_translations(resource, SUPPORT_RESOURCE_FIELDS, texts):
            # Made before the four languages: its translations are added beside it.
            resource.save(update_fields=changed)
    stdout.write(f"Support resources: {SupportResource.objects.count()}")
