"""The demo workspace's analytics history: nine weeks of posts, readings and business figures.

Called by tribune.workspaces.demo.create_demo once the strategy and the calendar
exist. Everything is dated back from now, so the demo always shows its last two
months, and drawn from a fixed seed, so two demos made the same day hold the same
figures.

- The accounts publish by reminder (a person posts by hand, as Tribune does for
  networks it has no connector for): they hold no credentials, and nothing the
  worker runs can send anything through them.
- The posts were "marked published by hand", at addresses on `.example` domains;
  their collection plans are closed, so the worker reads nothing of them.
- The numbers go through `rollups.ingest`, the path real readings take, so the
  daily rollups, latest totals, network days and best-time cells agree.
- The shape is made to be plausible: followers grow slowly with noise and a
  jump after the giveaway; a post's counters rise fast then level off; evenings
  and Saturday mornings do better on Instagram, weekday mornings on LinkedIn.
  Instagram's objective comes out "at risk", the business ones on track.
"""

from __future__ import annotations

import math
import random
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tribune.editorial.choices import PostFormat, PostState
from tribune.editorial.models import ContentPillar, Post, Variant
from tribune.networks.models import Account, AccountMode, AccountStatus
from tribune.publishing.models import Target, TargetState
from tribune.strategy.choices import Kpi
from tribune.strategy.models import Persona
from tribune.workspaces.models import Membership, Workspace

from .collect import DONE, SCHEDULE
from .models import CollectionPlan, IndicatorSource, IndicatorValue
from .rollups import Reading, ingest

SEED = 1852  # any fixed number: the same history every time
HISTORY_DAYS = 63  # nine weeks: last month's report is always covered
LEVEL_HOUR = time(7, 0)  # the daily followers reading

# network: (name, handle, profile, followers at the start, followers gained a day)
ACCOUNTS = {
    "instagram": ("Brûlerie des Canuts", "@brulerie.canuts",
                  "https://instagram.example/brulerie.canuts", 2140, 1.9),
    "linkedin": ("Brûlerie des Canuts", "brulerie-des-canuts",
                 "https://linkedin.example/company/brulerie-des-canuts", 610, 1.2),
    "facebook": ("Brûlerie des Canuts", "brulerie.canuts",
                 "https://facebook.example/brulerie.canuts", 1480, 0.5),
}  # fmt: skip

# network: [(weekday, hour, minute, how well that moment does)], Monday = 0.
SLOTS = {
    "instagram": [(1, 9, 30, 1.0), (3, 18, 0, 1.45), (5, 10, 0, 1.25), (2, 12, 15, 0.8)],
    "linkedin": [(1, 10, 0, 1.3), (3, 8, 30, 1.0)],
    "facebook": [(2, 12, 15, 1.0), (6, 11, 0, 1.3)],
}
# How often a slot's post is skipped (a busy week), per network.
SKIPPED = {"instagram": 0.22, "linkedin": 0.12, "facebook": 0.35}

# network: views of an ordinary post, and each counter as a share of its views.
REACH = {
    "instagram": (820, {"reach": 0.78, "likes": 0.085, "comments": 0.009,
                        "shares": 0.006, "saves": 0.012}),
    "linkedin": (540, {"likes": 0.032, "comments": 0.006, "shares": 0.004, "clicks": 0.018}),
    "facebook": (410, {"reach": 0.83, "likes": 0.028, "comments": 0.005,
                       "shares": 0.005, "clicks": 0.011}),
}  # fmt: skip
# Hours for most of a post's counters to come in (a short feed life on Instagram).
LIFE_HOURS = {"instagram": 10.0, "linkedin": 30.0, "facebook": 8.0}

# network: [(title, text, pillar index, persona index, format)], used in turn.
IDEAS = {
    "instagram": [
        (
            "Arrivage : Colombie Huila",
            "Notre Colombie Huila est arrivée : caramel, pomme "
            "rouge, une douceur pour le matin. Torréfié mardi à la Croix-Rousse.",
            0,
            0,
            "organic",
        ),
        (
            "L'Aeropress inversée",
            "Aeropress inversée : 17 g, eau à 90 °C, 1 min 45. Notre "
            "recette pour un café rond et sans amertume.",
            1,
            0,
            "organic",
        ),
        (
            "Le premier crack en vidéo",
            "Écoutez le premier crack : c'est là que le café "
            "devient café. 30 secondes dans notre torréfacteur.",
            2,
            0,
            "organic",
        ),
        (
            "Quelle mouture pour quelle méthode ?",
            "Fine pour l'espresso, moyenne pour le "
            "V60, grossière pour la French press : le guide à enregistrer.",
            1,
            0,
            "organic",
        ),
        (
            "Kenya Nyeri, édition limitée",
            "Kenya Nyeri : cassis, pamplemousse, une acidité qui réveille. 40 paquets seulement.",
            0,
            0,
            "organic",
        ),
        (
            "Une matinée à la brûlerie",
            "6 h 30, les premiers sacs de vert, la machine chauffe : une matinée avec l'équipe.",
            2,
            0,
            "organic",
        ),
        (
            "Votre tasse du dimanche",
            "Vos tasses du dimanche, partagées avec #TasseDesCanuts : merci pour ces photos.",
            2,
            0,
            "personal",
        ),
        (
            "Conserver son café en grains",
            "Bocal opaque, à l'abri de l'air, jamais au "
            "frigo : trois gestes pour garder les arômes.",
            1,
            0,
            "organic",
        ),
    ],
    "linkedin": [
        (
            "Un torréfacteur à deux rues de votre café",
            "Livrés la veille de la "
            "torréfaction, réglés avec vos baristas : nos cafés pour les coffee shops "
            "lyonnais.",
            0,
            1,
            "social_selling",
        ),
        (
            "Le café au bureau, sans gestion",
            "Machine entretenue, grains bio, une facture "
            "par mois : l'abonnement café pour les équipes.",
            1,
            2,
            "sponsored",
        ),
        (
            "Pourquoi nous payons le café vert plus cher",
            "Nous achetons au-dessus du cours "
            "pour des lots tracés : ce que cela change pour les producteurs et pour vous.",
            0,
            2,
            "organic",
        ),
        (
            "Former ses baristas en une matinée",
            "Réglage du moulin, extraction, lait : "
            "la formation que nous offrons aux cafés partenaires.",
            1,
            1,
            "organic",
        ),
        (
            "Dans les coulisses d'une livraison",
            "Lundi, 7 h : 14 cafés et 6 bureaux livrés à vélo cargo dans Lyon.",
            2,
            2,
            "organic",
        ),
    ],
    "facebook": [
        (
            "Portes ouvertes samedi",
            "Samedi, portes ouvertes à la brûlerie : dégustation "
            "et démonstration de torréfaction de 10 h à 13 h.",
            2,
            1,
            "organic",
        ),
        (
            "Un client raconte",
            "Marc sert notre espresso depuis deux ans à la Croix-Rousse : il nous dit pourquoi.",
            0,
            1,
            "organic",
        ),
        (
            "Les bons réglages de votre moulin",
            "Un espresso trop amer ? Souvent la mouture. Nos conseils de réglage pas à pas.",
            1,
            1,
            "share",
        ),
    ],
}
GIVEAWAY = (
    "Jeu-concours : un an de café à gagner",
    "Jeu-concours ! Abonnez-vous, identifiez deux amis amateurs de café : un an de café à gagner.",
    2,
    0,
    "personal",
)
GIVEAWAY_DAYS_AGO = 26
GIVEAWAY_FOLLOWERS = (70, 35, 12)  # the day after, and the two days that follow

# Business figures: visits from the networks a day, quote requests a working day.
TRAFFIC_A_DAY = 15.0
CONTACTS_A_DAY = 0.45


@dataclass
class Publication:
    target: Target
    network: str
    strength: float  # how well it does against an ordinary post


def create_demo_history(workspace: Workspace, members: dict[str, Membership]) -> None:
    """Add the accounts, the published posts, their readings and the business figures."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    now = timezone.now()
    today = timezone.localdate(now, zone)
    first_day = today - timedelta(days=HISTORY_DAYS)
    accounts = _accounts(workspace, members)
    publications = _publications(workspace, members, accounts, zone, first_day, now)
    readings = _post_readings(workspace, publications, now)
    readings += _level_readings(workspace, accounts, publications, zone, first_day, now)
    ingest(readings)
    _business_figures(workspace, members, first_day)


def _draws(purpose: str) -> random.Random:
    """A random sequence of its own per purpose: the followers' noise of a given day back
    from today does not depend on how many posts the weeks before held."""
    return random.Random(f"{SEED}-{purpose}")


def _accounts(workspace: Workspace, members: dict[str, Membership]) -> dict[str, Account]:
    return {
        network: Account.objects.create(
            workspace=workspace,
            network=network,
            mode=AccountMode.REMINDER,
            name=name,
            handle=handle,
            profile_url=profile,
            status=AccountStatus.ACTIVE,
            connected_by=members["claire"].user,
            created_at=timezone.now() - timedelta(days=HISTORY_DAYS + 7),
        )
        for network, (name, handle, profile, _start, _gain) in ACCOUNTS.items()
    }


def _publications(
    workspace: Workspace,
    members: dict[str, Membership],
    accounts: dict[str, Account],
    zone: zoneinfo.ZoneInfo,
    first_day: date,
    now: datetime,
) -> list[Publication]:
    """The posts of the last nine weeks, published on their slots (a few weeks skip one)."""
    rng = _draws("posts")
    personas = list(Persona.objects.filter(workspace=workspace).order_by("pk"))
    pillars = list(ContentPillar.objects.filter(workspace=workspace).order_by("pk"))
    author, publisher = members["lea"].user, members["lea"].user
    giveaway_day = now.astimezone(zone).date() - timedelta(days=GIVEAWAY_DAYS_AGO)
    planned = []
    for offset in range(1, HISTORY_DAYS + 1):
        day = first_day + timedelta(days=offset)
        for network, slots in SLOTS.items():
            for weekday, hour, minute, moment in slots:
                if day.weekday() != weekday or rng.random() < SKIPPED[network]:
                    continue
                at = datetime.combine(day, time(hour, minute), tzinfo=zone)
                planned.append((at, network, moment))
        if day == giveaway_day:
            planned.append((datetime.combine(day, time(19, 0), tzinfo=zone), "giveaway", 3.2))
    turn = dict.fromkeys(IDEAS, 0)
    publications = []
    for at, network, moment in sorted(planned, key=lambda p: p[0]):
        posted = at + timedelta(minutes=rng.randint(0, 12))  # by hand, a few minutes late
        if posted >= now:
            continue
        if network == "giveaway":
            network, idea = "instagram", GIVEAWAY
        else:
            ideas = IDEAS[network]
            idea = ideas[turn[network] % len(ideas)]
            turn[network] += 1
        title, text, pillar, persona, fmt = idea
        post = Post.objects.create(
            workspace=workspace,
            title=title,
            body=text,
            persona=personas[persona],
            pillar=pillars[pillar],
            format=PostFormat(fmt),
            state=PostState.PUBLISHED,
            scheduled_at=at,
            author=author,
            created_at=at - timedelta(days=6),
        )
        variant = Variant.objects.create(post=post, network=network, text=text)
        target = Target.objects.create(
            workspace=workspace,
            post=post,
            variant=variant,
            account=accounts[network],
            state=TargetState.PUBLISHED,
            due_at=at,
            next_attempt_at=at,
            url=f"{accounts[network].profile_url}/posts/{post.pk}",
            published_at=posted,
            decided_by=publisher,
            decided_at=posted,
        )
        strength = moment * math.exp(rng.gauss(0, 0.3))
        publications.append(Publication(target, network, strength))
    # Reminder accounts give no numbers: the worker would close these plans at once.
    CollectionPlan.objects.bulk_create(
        CollectionPlan(target=p.target, workspace=workspace, next_at=now, step=DONE, last_at=now)
        for p in publications
    )
    return publications


def _share_by(network: str, hours: float) -> float:
    """The share of a post's final counters reached `hours` after publication."""
    fast = 1 - math.exp(-hours / LIFE_HOURS[network])
    slow = 1 - math.exp(-hours / (24 * 10))  # a long tail: search, shares, the profile grid
    return 0.82 * fast + 0.18 * slow


def _post_readings(
    workspace: Workspace, publications: list[Publication], now: datetime
) -> list[Reading]:
    """Each post read on the schedule a connected account is read on, up to now."""
    rng, mix = _draws("readings"), _draws("mix")
    readings = []
    for p in publications:
        views, shares = REACH[p.network]
        final = {"views": views * p.strength}
        # Each post draws its own mix: some get liked, others commented or clicked.
        final.update(
            {
                name: final["views"] * share * math.exp(mix.gauss(0, 0.3))
                for name, share in shares.items()
            }
        )
        published = p.target.published_at
        for offset in SCHEDULE:
            taken = published + offset + timedelta(minutes=rng.randint(1, 9))
            if taken > now:
                break
            share = _share_by(p.network, (taken - published).total_seconds() / 3600)
            values = {name: round(total * share) for name, total in final.items()}
            readings.append(Reading(workspace.pk, p.target.account_id, p.target.pk, taken, values))
    return readings


def _level_readings(
    workspace: Workspace,
    accounts: dict[str, Account],
    publications: list[Publication],
    zone: zoneinfo.ZoneInfo,
    first_day: date,
    now: datetime,
) -> list[Reading]:
    """Each account's followers read every morning: a slow rise, noise, a lift after posts."""
    lifts: dict[tuple[str, date], float] = {}
    for p in publications:
        day = p.target.published_at.astimezone(zone).date() + timedelta(days=1)
        lifts[p.network, day] = lifts.get((p.network, day), 0.0) + p.strength
    giveaway = now.astimezone(zone).date() - timedelta(days=GIVEAWAY_DAYS_AGO - 1)
    readings = []
    for network, account in accounts.items():
        rng = _draws(f"followers-{network}")
        level, gain = float(ACCOUNTS[network][3]), ACCOUNTS[network][4]
        for offset in range(HISTORY_DAYS + 1):
            day = first_day + timedelta(days=offset)
            taken = datetime.combine(day, LEVEL_HOUR, tzinfo=zone)
            if taken > now:
                break
            if offset:
                level += gain * (0.7 + 0.6 * rng.random()) + rng.gauss(0, gain * 0.8)
                level += lifts.get((network, day), 0.0) * gain * 0.5
                if network == "instagram" and 0 <= (day - giveaway).days < 3:
                    level += GIVEAWAY_FOLLOWERS[(day - giveaway).days]
            readings.append(
                Reading(workspace.pk, account.pk, None, taken, {"followers": round(level)})
            )
    return readings


def _business_figures(
    workspace: Workspace,
    members: dict[str, Membership],
    first_day: date,
) -> None:
    """Visits from social networks, as imported from Plausible, and quote requests entered
    by hand, each day up to yesterday."""
    rng = _draws("business")
    rows = []
    for offset in range(1, HISTORY_DAYS):
        day = first_day + timedelta(days=offset)
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        visits = max(0, round(rng.gauss(TRAFFIC_A_DAY * weekend, 4)))
        rows.append(
            IndicatorValue(
                workspace=workspace,
                kpi=Kpi.SITE_TRAFFIC,
                day=day,
                value=Decimal(visits),
                source=IndicatorSource.PLAUSIBLE,
            )
        )
        contacts = sum(rng.random() < CONTACTS_A_DAY / 2 for _ in range(2))
        if contacts and day.weekday() < 5:
            rows.append(
                IndicatorValue(
                    workspace=workspace,
                    kpi=Kpi.CONTACTS,
                    day=day,
                    value=Decimal(contacts),
                    source=IndicatorSource.MANUAL,
                    note="Demandes de devis (formulaire pro et téléphone)",
                    created_by=members["hugo"].user,
                )
            )
    IndicatorValue.objects.bulk_create(rows)
