"""Demo support resources. Real Singapore services, but check numbers before a real launch."""

from .models import HarmCategory, SupportResource

RESOURCES = [
    {
        "name": "National Anti-Violence and Sexual Harassment Helpline",
        "description": "Help for anyone facing or witnessing violence, abuse or sexual harassment.",
        "phone": "1800 777 0000",
        "url": "https://www.msf.gov.sg/what-we-do/break-the-silence",
        "hours": "24 hours",
        "show_in_footer": True,
        "order": 1,
        "categories": ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"],
    },
    {
        "name": "Samaritans of Singapore (SOS)",
        "description": "Emotional support for anyone in distress or having thoughts of suicide.",
        "phone": "1767",
        "url": "https://www.sos.org.sg/",
        "hours": "24 hours",
        "show_in_footer": True,
        "order": 2,
        "categories": ["non-consensual-publication", "unwelcome-interactions", "harmful-platforms"],
    },
    {
        "name": "SHECARES@SCWO",
        "description": "Support for people affected by online harms: counselling, legal clinics "
        "and help getting harmful content taken down.",
        "phone": "",
        "url": "https://www.scwo.org.sg/what-we-do/shecares-centre/",
        "hours": "",
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
        "description": "Confidential support for anyone who has experienced sexual assault or "
        "harassment, online or offline.",
        "phone": "6779 0282",
        "url": "https://www.aware.org.sg/",
        "hours": "Weekdays",
        "show_in_footer": False,
        "order": 4,
        "categories": ["image-based-sexual-abuse", "sexual-harassment", "unwelcome-interactions"],
    },
    {
        "name": "Tinkle Friend",
        "description": "A helpline and chat for primary school children who need someone to "
        "talk to.",
        "phone": "1800 274 4788",
        "url": "https://www.tinklefriend.sg/",
        "hours": "Weekdays",
        "show_in_footer": False,
        "order": 5,
        "categories": ["online-grooming", "harmful-platforms", "sites-promoting-vice"],
    },
]


def seed(stdout) -> None:
    for spec in RESOURCES:
        spec = dict(spec)
        slugs = spec.pop("categories")
        resource, created = SupportResource.objects.get_or_create(name=spec["name"], defaults=spec)
        if created:
            resource.categories.set(HarmCategory.objects.filter(slug__in=slugs))
    stdout.write(f"Support resources: {SupportResource.objects.count()}")
