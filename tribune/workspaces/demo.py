"""The demo workspace: a believable French small business with its whole strategy.

Brûlerie des Canuts is a coffee roaster in Lyon selling online to coffee lovers
and wholesale to cafés and offices. Every role of the team is held by someone,
so each screen has something to show on a first `make run`.
"""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tribune.analytics.demo import HISTORY_DAYS, create_demo_history
from tribune.analytics.demo_reports import create_demo_reports
from tribune.editorial.demo import create_demo_calendar
from tribune.strategy.models import NetworkChoice, Objective, Persona, SpeakingPolicy
from tribune.workspaces.actions import record
from tribune.workspaces.models import Membership, User, Workspace
from tribune.workspaces.roles import Role

SLUG = "brulerie-des-canuts"

TEAM = [
    # username, first name, last name, roles, network limits
    ("claire", "Claire", "Morel", [Role.OWNER], {}),
    ("hugo", "Hugo", "Benali", [Role.STRATEGIST, Role.ANALYST], {}),
    ("lea", "Léa", "Fournier", [Role.EDITOR, Role.PUBLISHER, Role.RESPONDER], {}),
    ("malik", "Malik", "Girard", [Role.APPROVER], {}),
    (
        "sarah",
        "Sarah",
        "Lopez",
        [Role.MODERATOR, Role.RESPONDER],
        {"moderator": ["facebook", "instagram"]},
    ),
    ("agence", "Agence", "Pixel", [Role.GUEST], {}),
]

PERSONAS = [
    {
        "name": "Camille, amatrice de café de spécialité",
        "description": "Jeune active lyonnaise qui achète son café en grains en ligne et aime "
        "comprendre l'origine de ce qu'elle boit.",
        "audience": "b2c",
        "age_min": 25,
        "age_max": 40,
        "location": "Lyon et grandes villes",
        "interests": "Cafés de spécialité, voyages, cuisine maison, slow living",
        "networks": ["instagram", "youtube", "pinterest"],
        "online_notes": "Lit des blogs de torréfacteurs et la newsletter de la brûlerie.",
        "expectations": "Des conseils de préparation, la traçabilité des grains, des offres "
        "réservées aux abonnés.",
        "needs": "Choisir un café adapté à sa méthode (V60, Aeropress) sans se tromper.",
        "objections": "Le prix au kilo, plus élevé qu'en supermarché.",
        "formats": ["image", "short_video", "story"],
    },
    {
        "name": "Marc, gérant de café indépendant",
        "description": "Tient un coffee shop de 30 couverts à la Croix-Rousse et cherche un "
        "torréfacteur local fiable.",
        "audience": "b2b",
        "age_min": 30,
        "age_max": 55,
        "location": "Auvergne-Rhône-Alpes",
        "interests": "Gestion, barista, circuits courts",
        "networks": ["linkedin", "facebook", "instagram"],
        "online_notes": "Groupes Facebook de professionnels de la restauration.",
        "expectations": "Un interlocuteur réactif, des livraisons régulières, de la formation.",
        "needs": "Un café constant en qualité et une marge maîtrisée.",
        "objections": "Changer de fournisseur lui fait peur : machines, réglages, habitudes.",
        "formats": ["video", "article", "event"],
    },
    {
        "name": "Sophie, office manager",
        "description": "Gère les services généraux d'une PME de 80 salariés et veut un café "
        "de qualité pour les équipes.",
        "audience": "b2b",
        "age_min": 28,
        "age_max": 45,
        "location": "Lyon",
        "interests": "Qualité de vie au travail, RSE",
        "networks": ["linkedin"],
        "online_notes": "",
        "expectations": "Des preuves d'engagement (bio, commerce équitable) et un devis simple.",
        "needs": "Un abonnement café sans gestion, facturé mensuellement.",
        "objections": "Budget serré, décision validée par la direction.",
        "formats": ["document", "article"],
    },
]

NETWORKS = [
    (
        "instagram",
        "Camille y découvre des marques de café ; le visuel sert la traçabilité "
        "et les conseils de préparation.",
        [0, 1],
        3,
        5,
    ),
    (
        "linkedin",
        "Marc et Sophie y suivent leurs fournisseurs ; nous y montrons l'expertise "
        "et les offres aux professionnels.",
        [1, 2],
        1,
        3,
    ),
    (
        "facebook",
        "Les groupes de restaurateurs de la région y échangent ; présence pour la "
        "proximité et l'e-réputation.",
        [1],
        1,
        2,
    ),
]


def _objectives(today: date) -> list[dict]:
    return [
        {
            "title": "Gagner 1 500 abonnés sur Instagram",
            "lever": "visibility",
            "kpi": "new_followers",
            "baseline": Decimal("0"),
            "target": Decimal("1500"),
            "deadline": today + timedelta(days=200),
            "personas": [0],
            "networks": ["instagram"],
        },
        {
            "title": "Doubler le trafic qualifié vers l'e-shop",
            "lever": "traffic",
            "kpi": "site_traffic",
            "baseline": Decimal("2400"),
            "target": Decimal("4800"),
            "deadline": today + timedelta(days=180),
            "personas": [0],
            "networks": ["instagram"],
        },
        {
            "title": "Obtenir 40 demandes de devis de cafés et d'entreprises",
            "lever": "acquisition",
            "kpi": "contacts",
            "baseline": Decimal("6"),
            "target": Decimal("40"),
            "deadline": today + timedelta(days=150),
            "personas": [1, 2],
            "networks": ["linkedin", "facebook"],
        },
        {
            "title": "Répondre aux avis et messages en moins de 2 heures",
            "lever": "reputation",
            "kpi": "response_time",
            "baseline": Decimal("480"),
            "target": Decimal("120"),
            "deadline": today + timedelta(days=90),
            "personas": [0, 1],
            "networks": ["facebook", "instagram"],
        },
    ]


def credentials_path():
    from django.conf import settings

    return settings.VAR_DIR / "demo-credentials.txt"


@transaction.atomic
def create_demo() -> tuple[str, str]:
    """Create the demo workspace; return the owner's username and password."""
    ws = Workspace.objects.create(
        name="Brûlerie des Canuts",
        slug=SLUG,
        language="fr",
        time_zone="Europe/Paris",
        description="Torréfacteur artisanal à Lyon : vente en ligne et aux professionnels.",
    )
    members = {}
    password = secrets.token_urlsafe(12)
    for username, first, last, roles, scopes in TEAM:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "language": "fr",
                "email": f"{username}@brulerie-des-canuts.example",
            },
        )
        if username == "claire":
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        members[username] = Membership.objects.create(
            workspace=ws, user=user, roles=[r.value for r in roles], network_scopes=scopes
        )
    personas = [Persona.objects.create(workspace=ws, **p) for p in PERSONAS]
    # Set nine weeks ago, when the analytics history starts: totals count from then. The
    # same wall-clock time in the workspace's zone: 63 × 24 hours across a change of
    # clocks (summer to winter time) fell on the next day late in the evening.
    local_now = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(ws.time_zone))
    set_at = datetime.combine(
        local_now.date() - timedelta(days=HISTORY_DAYS), local_now.time(), local_now.tzinfo
    )
    for spec in _objectives(timezone.localdate()):
        linked = spec.pop("personas")
        objective = Objective.objects.create(
            workspace=ws, owner=members["hugo"], created_at=set_at, **spec
        )
        objective.personas.set([personas[i] for i in linked])
    for network, why, linked, low, high in NETWORKS:
        choice = NetworkChoice.objects.create(
            workspace=ws,
            network=network,
            rationale=why,
            min_posts_per_week=low,
            max_posts_per_week=high,
        )
        choice.personas.set([personas[i] for i in linked])
        choice.objectives.set([o for o in ws.objectives.all() if network in o.networks])
        policy = SpeakingPolicy.objects.create(
            choice=choice,
            tone="Chaleureux et expert, tutoiement sur Instagram, vouvoiement ailleurs.",
            response_time_minutes=120,
            escalation_contact=members["claire"],
            escalation_notes="Toute critique sur la qualité ou une livraison : prévenir Claire.",
        )
        policy.publishers.set([members["lea"]])
        policy.responders.set([members["lea"], members["sarah"]])
        policy.moderators.set([members["sarah"]] if network != "linkedin" else [members["claire"]])
    create_demo_calendar(ws, members)
    create_demo_history(ws, members)
    create_demo_reports(ws, members)
    record(None, ws, "seed_demo", ws)
    return "claire", password
