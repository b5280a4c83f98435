"""The harm categories and solution areas named in MCI's press release of 8 March 2021."""

from django.db import migrations

from accounts.roles import grant_role_permissions

CATEGORIES = [
    {
        "slug": "non-consensual-publication",
        "name": "Non-consensual publication of images and personal details",
        "summary": "Images or personal details shared one-to-many online without consent, causing "
        "distress and inviting harassment.",
        "description": "Intimate or private images, home addresses, phone numbers, school or "
        "workplace details posted or passed around online without the person's agreement. Once "
        "published to many people, such material can be copied endlessly, and it often invites "
        "strangers to harass the person shown.",
        "content_warning": "mentions image-based sexual abuse and the exposure of personal details.",
        "order": 1,
        "children": [
            {
                "slug": "image-based-sexual-abuse",
                "name": "Image-based sexual abuse",
                "summary": "Intimate images taken, shared or threatened to be shared without consent, "
                "including digitally altered ones.",
                "description": "Sharing, or threatening to share, intimate images or videos of "
                "someone without their consent. This includes images that were taken in secret, "
                "shared in confidence, or created or altered with editing tools.",
                "content_warning": "describes sexual abuse using images.",
            },
            {
                "slug": "doxxing",
                "name": "Doxxing",
                "summary": "Publishing someone's personal details so that others can find, "
                "harass or harm them.",
                "description": "Collecting and publishing someone's name, address, phone number, "
                "workplace or family details so that others can locate, intimidate or harass them.",
                "content_warning": "describes the exposure of personal information and harassment.",
            },
        ],
    },
    {
        "slug": "unwelcome-interactions",
        "name": "Unwelcome one-to-one interactions",
        "summary": "Unwanted contact online, from sexual harassment to the grooming of children, "
        "made easier by social media.",
        "description": "Messages, comments and requests aimed at one person that she does not "
        "want: sexual remarks, unsolicited explicit images, persistent contact, threats, and "
        "adults building a relationship with a child in order to abuse her.",
        "content_warning": "mentions sexual harassment, stalking and the grooming of children.",
        "order": 2,
        "children": [
            {
                "slug": "sexual-harassment",
                "name": "Sexual harassment",
                "summary": "Unwanted sexual comments, requests or images sent online.",
                "description": "Sexual remarks, propositions, unsolicited explicit images or "
                "sexualised threats sent through messages, comments or social media.",
                "content_warning": "describes sexual harassment.",
            },
            {
                "slug": "online-grooming",
                "name": "Online grooming",
                "summary": "Adults building trust with children or young people online in order "
                "to abuse them.",
                "description": "An adult befriends a child or young person online, often pretending "
                "to be younger, to gain her trust, isolate her and draw her into sexual contact or "
                "the sharing of images.",
                "content_warning": "describes the sexual exploitation of children.",
            },
            {
                "slug": "cyberstalking",
                "name": "Cyberstalking",
                "summary": "Repeated monitoring, following or contacting of someone online that "
                "makes her afraid.",
                "description": "Tracking someone's accounts, location or activity, contacting her "
                "again and again, or creating accounts to keep reaching her after being blocked.",
                "content_warning": "describes stalking and intimidation.",
            },
        ],
    },
    {
        "slug": "harmful-platforms",
        "name": "Platforms and sites that encourage vice and harm",
        "summary": "Online platforms, websites and groups that promote vice and harm to women, "
        "especially young girls.",
        "description": "Forums, channels and websites built around sharing abusive material, "
        "rating or trading images of women and girls, or drawing young people into vice.",
        "content_warning": "mentions sites that exploit women and girls.",
        "order": 3,
        "children": [
            {
                "slug": "sites-promoting-vice",
                "name": "Sites that promote vice",
                "summary": "Websites and groups that promote or trade in the sexual exploitation "
                "of women and girls.",
                "description": "Websites, chat groups and channels that circulate sexualised images "
                "of women and girls, advertise vice or encourage others to take part in abuse.",
                "content_warning": "mentions sexual exploitation.",
            },
        ],
    },
]

SOLUTION_AREAS = [
    (
        "public-education",
        "Public education",
        "Helping people recognise online harms, respond to them and support those affected.",
        1,
    ),
    (
        "partnerships",
        "Partnerships",
        "Companies, community groups, schools and government working "
        "together on prevention and support.",
        2,
    ),
    (
        "regulation",
        "Regulation",
        "Laws, rules and platform policies that prevent harm and hold "
        "those responsible to account.",
        3,
    ),
]


def seed(apps, schema_editor):
    HarmCategory = apps.get_model("harms", "HarmCategory")
    SolutionArea = apps.get_model("harms", "SolutionArea")
    for category in CATEGORIES:
        children = category.pop("children")
        parent, _ = HarmCategory.objects.update_or_create(slug=category["slug"], defaults=category)
        for order, child in enumerate(children, start=1):
            HarmCategory.objects.update_or_create(
                slug=child["slug"], defaults={**child, "parent": parent, "order": order}
            )
        category["children"] = children
    for slug, name, description, order in SOLUTION_AREAS:
        SolutionArea.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "order": order}
        )
    view = ["harms.view_harmcategory", "harms.view_solutionarea", "harms.view_supportresource"]
    grant_role_permissions(apps, {"Organiser": view, "MCI Staff": view})


class Migration(migrations.Migration):
    dependencies = [
        ("harms", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
