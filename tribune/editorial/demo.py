"""The demo workspace's editorial calendar: pillars, rules, queue slots and a month of posts.

Called by tribune.workspaces.demo.create_demo. Posts are placed from today on,
in the workspace's time zone, at ordinary working hours, within the posting
frequencies the demo strategy sets, in every workflow state.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from tribune.strategy.models import Objective, Persona
from tribune.workspaces.models import Membership, Workspace

from .choices import PostFormat, PostState
from .models import (
    ApprovalPolicy,
    ContentPillar,
    EditorialSettings,
    Post,
    QueueSlot,
    Transition,
    Variant,
)

PILLARS = [
    ("Savoir-faire", 40, "#1f4fd1"),
    ("Conseils", 30, "#1b6b35"),
    ("Coulisses", 30, "#7a4b00"),
]

# (days from today, hour, minute, title, pillar, persona index, objective index,
#  format, state, {network: text})
POSTS = [
    (
        1,
        9,
        30,
        "Nouvelle origine : Éthiopie Guji",
        0,
        0,
        0,
        PostFormat.ORGANIC,
        PostState.SCHEDULED,
        {
            "instagram": "Notre nouvelle origine arrive : un Éthiopie Guji aux notes de "
            "pêche et de jasmin. Torréfié cette semaine à la Croix-Rousse. #cafedespecialite #lyon"
        },
    ),
    (
        2,
        12,
        15,
        "Réussir son V60 en 4 étapes",
        1,
        0,
        1,
        PostFormat.ORGANIC,
        PostState.APPROVED,
        {
            "instagram": "Le V60 en 4 étapes : 15 g de café, 250 g d'eau à 94 °C, 30 s de "
            "pré-infusion, 2 min 30 au total. Le détail sur notre site.",
            "facebook": "Vous débutez avec le V60 ? Voici notre méthode en 4 étapes, testée à la "
            "brûlerie : https://brulerie-des-canuts.example/v60",
        },
    ),
    (
        3,
        10,
        0,
        "Offre découverte pour les cafés lyonnais",
        0,
        1,
        2,
        PostFormat.SOCIAL_SELLING,
        PostState.IN_REVIEW,
        {
            "linkedin": "Vous tenez un café à Lyon ? Nous livrons nos espressos torréfiés "
            "la veille et formons vos baristas. Demandez votre kit découverte : "
            "https://brulerie-des-canuts.example/pro"
        },
    ),
    (
        6,
        18,
        0,
        "Dans les coulisses de la torréfaction",
        2,
        0,
        0,
        PostFormat.ORGANIC,
        PostState.DRAFT,
        {
            "instagram": "Un samedi matin au torréfacteur : 12 kg par fournée, 14 minutes, et "
            "l'oreille tendue pour le premier crack."
        },
    ),
    (
        8,
        9,
        30,
        "Le café au bureau, sans gestion",
        1,
        2,
        2,
        PostFormat.SPONSORED,
        PostState.DRAFT,
        {
            "linkedin": "Un abonnement café pour vos équipes : grains bio, machine entretenue, "
            "une facture par mois. Parlons-en : https://brulerie-des-canuts.example/bureau"
        },
    ),
    (
        9,
        12,
        0,
        "Concours : votre plus belle tasse",
        2,
        0,
        0,
        PostFormat.PERSONAL,
        PostState.CHANGES_REQUESTED,
        {
            "instagram": "Concours ! Montrez-nous votre plus belle tasse avec #TasseDesCanuts : "
            "3 paquets à gagner."
        },
    ),
    (
        13,
        9,
        30,
        "Portrait : Marc, notre client de la Croix-Rousse",
        0,
        1,
        3,
        PostFormat.ORGANIC,
        PostState.DRAFT,
        {
            "facebook": "Marc sert notre espresso depuis deux ans. Il nous raconte pourquoi il a "
            "choisi un torréfacteur de quartier.",
            "linkedin": "Pourquoi un coffee shop choisit-il un torréfacteur local ? Témoignage de "
            "Marc, gérant à la Croix-Rousse.",
        },
    ),
]

SLOTS = [
    ("instagram", (1, 3, 5), time(9, 30)),
    ("linkedin", (1, 3), time(10, 0)),
    ("facebook", (2,), time(12, 15)),
]


def create_demo_calendar(workspace: Workspace, members: dict[str, Membership]) -> None:
    """Fill the demo workspace's calendar (direct writes: this is seed data)."""
    EditorialSettings.objects.create(
        workspace=workspace, utm_campaign="demo", quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    pillars = [
        ContentPillar.objects.create(workspace=workspace, name=n, target_share=s, colour=c)
        for n, s, c in PILLARS
    ]
    for network, weekdays, at in SLOTS:
        for weekday in weekdays:
            QueueSlot.objects.create(workspace=workspace, network=network, weekday=weekday, time=at)
    ApprovalPolicy.objects.create(
        workspace=workspace,
        name="Publications sponsorisées : deux validations",
        applies_to=ApprovalPolicy.Applies.FORMAT,
        value=PostFormat.SPONSORED,
        approvals_needed=2,
    )
    personas = list(Persona.objects.filter(workspace=workspace).order_by("pk"))
    objectives = list(Objective.objects.filter(workspace=workspace).order_by("pk"))
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    today = timezone.localdate(timezone=zone)
    author = members["lea"].user
    for days, hour, minute, title, pillar, persona, objective, fmt, state, texts in POSTS:
        local = datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=zone)
        post = Post.objects.create(
            workspace=workspace,
            title=title,
            body=next(iter(texts.values())),
            persona=personas[persona],
            pillar=pillars[pillar],
            format=fmt,
            state=state,
            scheduled_at=local,
            author=author,
        )
        post.objectives.set([objectives[objective]])
        for network, text in texts.items():
            Variant.objects.create(post=post, network=network, text=text)
        if state != PostState.DRAFT:
            Transition.objects.create(
                post=post, from_state=PostState.DRAFT, to_state=state, actor=author
            )
