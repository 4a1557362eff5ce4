"""Synthetic customers in bulk (``openrev seed-customers N``): for load tests and for
Duplicate_Query's benchmark (``bench/duplicates.py``).

Each customer is realistic enough for matching to mean something: a name from lists of
common US first and last names (sometimes accented, hyphenated, or with a second last
name; sometimes a middle initial or a suffix), a real ZIP with its city and state (the
``zipcodes`` package), a street address with a house number, sometimes a directional, a
street type spelled short or long and sometimes a unit (in Address2, or in Address1), a
mailing address (mostly the same), an SSN (9 digits, area 001-899 but never 666 or 000), a
date of birth, a driver's licence, a security PIN and an e-mail. Status OPEN (mostly),
PENDING or CLOSED; a bill profile of the client; ``lifeline_program`` mostly NON_LIFELINE.
Each has one service (Wireless, on a package of the client, with a unique TN), one or two
customer products (the package's products) and a Mobile_Device inventory item ASSIGNED to
it (IMEI with a Luhn check digit).

How it is fast
--------------
* Rows are generated in worker processes (``--jobs``, default one per CPU), a batch
  (default 5,000 customers) at a time, with their derived columns (keyed hashes and
  Duplicate_Query's match keys: :func:`openrev.store.crypto.customer_key_columns`, the same
  values the ORM computes on a flush). The workers also turn each value into what the driver
  gets through the column's own type (``col.type.dialect_impl(dialect).bind_processor``, as a
  Core ``insert(table)`` would): so ``ssn``, ``dl``, ``dob`` and ``security_pin`` are
  encrypted by :class:`openrev.store.crypto.Encrypted` (stored values start ``e1:``), Money
  is quantized, dates take SQLAlchemy's storage form; Python-side column defaults are
  applied as a Core insert applies them.
* The main process writes each batch in one transaction: PostgreSQL ``COPY``, SQLite
  ``executemany`` (with a 256 MiB page cache).
* Ids are allocated up front, past the largest id (and, on PostgreSQL, the id sequences are
  moved past the whole range *before* the first insert, so that the server can keep creating
  customers meanwhile). On SQLite, run it while the server is not creating customers.
* ``customers.physical_address_id``/``mailing_address_id`` and ``addresses.customer_id``
  point at each other: SQLite defers the foreign-key checks to the commit
  (``PRAGMA defer_foreign_keys``); PostgreSQL checks them at the end of each statement, so
  both are copied into temporary tables and inserted by one statement (a data-modifying
  ``WITH``).
* Tables are ANALYZEd at the end (:func:`openrev.store.stats.refresh_statistics`).

TNs are a bijection of the service id (so running it twice adds N more with new unique
TNs): a real area code, an exchange from 200-999 but never 555 (so never the demo's
850555xxxx), a line number. Inventory identifiers likewise derive from the item id
(``359`` + 11 digits + check digit; the demo's devices start ``356``). ``seed`` makes a
run reproducible given the same starting ids.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from openrev import keyring as _keyring

from ..domain.devices import luhn_digit
from . import crypto
from .stats import refresh_statistics
from .tables import (
    Address,
    Agent,
    BillProfile,
    Client,
    Customer,
    CustomerProduct,
    InventoryItem,
    InventoryType,
    Package,
    PackageProduct,
    Product,
    Provider,
    Service,
    ServiceType,
)

__all__ = ["SeedError", "SeedResult", "seed_customers", "tn_of", "imei_of", "Catalog",
           "load_catalog", "generate_batch"]

DEFAULT_BATCH = 5000


class SeedError(RuntimeError):
    """The client cannot be seeded (unknown client, or its catalog lacks something)."""


# --------------------------------------------------------------------------- word lists

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry "
    "Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine "
    "Gregory Helen Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria "
    "Dennis Catherine Jerry Heather Tyler Diane Aaron Olivia Jose Julie Adam Joyce Nathan "
    "Victoria Henry Ruth Zachary Virginia Douglas Lauren Peter Kelly Kyle Christina Noah "
    "Joan Ethan Evelyn Jeremy Judith Walter Andrea Christian Hannah Keith Megan Roger Cheryl "
    "Terry Jacqueline Austin Martha Sean Madison Gerald Teresa Carl Gloria Harold Sara Dylan "
    "Janice Arthur Ann Lawrence Kathryn Jordan Abigail Jesse Sophia Bryan Frances Billy "
    "Jean Bruce Alice Gabriel Judy Joe Isabella Logan Julia Alan Grace Juan Amber Albert "
    "Denise Willie Danielle Elijah Marilyn Wayne Beverly Randy Charlotte Vincent Natalie "
    "Mason Theresa Roy Diana Ralph Brittany Bobby Doris Russell Kayla Bradley Alexis Philip "
    "Lori Eugene Marie Luis Carlos Miguel Jorge Pedro Ana Rosa Carmen Lucia Sofia Camila "
    "Valentina Diego Mateo Santiago Alejandro Fernando Ricardo Javier Manuel Francisco "
    "Jesus Antonio Guadalupe Yolanda Alma Blanca Leticia Mei Wei Jin Hiroshi Yuki Priya "
    "Raj Anil Sunita Fatima Omar Ahmed Aisha Kwame Ngozi DeShawn Tyrone Latoya Keisha"
).split() + [
    "José", "María", "Zoë", "Renée", "André", "Chloé", "Inés", "Raúl", "Ramón", "Héctor",
    "Iván", "Noémi", "Éric", "Hélène", "Björn", "Søren", "Jürgen", "Anaïs", "Mary Ann",
    "Jean-Luc", "Anne-Marie", "Mary-Kate", "D'Andre", "Ja'Nae", "Juan Carlos", "Luz María",
]

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
    "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson "
    "Cooper Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray "
    "James Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan "
    "Fisher Henderson Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Kim Wallace "
    "Cole West Stevens Tucker Porter Hunter Hicks Crawford Henry Boyd Mason Kennedy Warren "
    "Dixon Burns Gordon Shaw Holmes Rice Robertson Hunt Black Daniels Palmer Mills Nichols "
    "Grant Knight Ferguson Stone Hawkins Dunn Perkins Hudson Spencer Gardner Stephens Payne "
    "Pierce Berry Matthews Arnold Wagner Willis Ray Watkins Olson Carroll Duncan Snyder Hart "
    "Cunningham Bradley Lane Andrews Ruiz Harper Fox Riley Armstrong Carpenter Weaver Greene "
    "Lawrence Elliott Chavez Sims Austin Peters Kelley Franklin Lawson Fields Ryan Schmidt "
    "Carr Vasquez Castillo Wheeler Chapman Oliver Montgomery Richards Williamson Johnston "
    "Banks Meyer Bishop Mccoy Howell Alvarez Morrison Hansen Fernandez Garza Harvey Little "
    "Burton Stanley Nguyen George Jacobs Reid Fuller Lynch Dean Gilbert Romero Welch Larson "
    "Frazier Burke Hanson Day Mendoza Moreno Bowman Medina Fowler Brewer Hoffman Carlson "
    "Silva Pearson Holland Douglas Fleming Jensen Vargas Byrd Davidson Hopkins May Terry "
    "Herrera Wade Soto Walters Curtis Neal Caldwell Lowe Jennings Barnett Graves Jimenez "
    "Horton Shelton Barrett Obrien Castro Sutton Gregory Mckinney Lucas Miles Craig Rodriquez "
    "Chambers Holt Lambert Fletcher Watts Bates Hale Rhodes Pena Beck Newman Haynes Mcdaniel "
    "Mendez Bush Vaughn Parks Dawson Santiago Norris Hardy Love Steele Curry Powers Schultz "
    "Barker Guzman Page Munoz Ball Keller Chandler Weber Leonard Walsh Lyons Ramsey Wolfe "
    "Patel Shah Singh Chen Wang Li Zhang Liu Yang Huang Tran Le Pham Hoang Phan Vu Nakamura "
    "Tanaka Yamamoto Okafor Mensah Haddad Khalil Rahman Hussain Kowalski Nowak Ivanov"
).split() + [
    "García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Muñoz", "Peña", "Núñez",
    "Ibáñez", "Jiménez", "Gutiérrez", "Márquez", "Vásquez", "Suárez", "Domínguez", "Álvarez",
    "O'Brien", "O'Connor", "O'Neil", "McDonald", "MacArthur", "D'Angelo", "St. John",
    "Van der Berg", "De la Cruz", "Müller", "Schröder", "Böhm", "Lefèvre", "Côté",
]

SUFFIXES = ("Jr", "Sr", "II", "III", "IV", "Jr.")

STREET_NAMES = (
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Spring Ridge Church "
    "Willow Mill Sunset Jackson Lincoln Jefferson Madison Franklin Highland Forest Meadow "
    "River Center Chestnut Adams Hickory Cherry Magnolia Dogwood Sycamore Laurel Poplar "
    "Birch Spruce Locust Holly Valley Lakeview Woodland Prospect Railroad Market Broad "
    "Front Water Bridge High School College Academy Union Liberty Palafox Garden Orchard "
    "Green Grove Greenwood Fairview Riverside Hillside Ocean Bay Harbor Palm Cypress "
    "Mockingbird Bluebird Cardinal Heritage Pioneer Frontier Cherokee Apache Seminole "
    "Dakota Sierra Vista Monroe Wilson Grant Kennedy Roosevelt Hamilton Clay Davis Martin "
    "Johnson Hall Carter Pleasant Country Club Airport Industrial Commerce"
).split() + ["Martin Luther King Jr", "Old Mill", "Country Club", "Fox Run", "Deer Creek",
             "Saint Charles", "Avenida del Sol", "Peachtree", "El Camino Real", "Camino Real",
             "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "12th",
             "15th", "21st", "33rd", "42nd", "First", "Second", "Third"]

STREET_TYPES = (  # (short, long) as people write them
    ("St", "Street"), ("Ave", "Avenue"), ("Rd", "Road"), ("Dr", "Drive"), ("Ln", "Lane"),
    ("Blvd", "Boulevard"), ("Ct", "Court"), ("Pl", "Place"), ("Way", "Way"),
    ("Ter", "Terrace"), ("Cir", "Circle"), ("Pkwy", "Parkway"), ("Trl", "Trail"),
    ("Hwy", "Highway"), ("Loop", "Loop"), ("Pike", "Pike"),
)
STREET_TYPE_WEIGHTS = (30, 20, 15, 12, 8, 5, 5, 3, 3, 2, 2, 2, 2, 1, 1, 1)

DIRECTIONALS = (("N", "North"), ("S", "South"), ("E", "East"), ("W", "West"),
                ("NE", "Northeast"), ("NW", "Northwest"), ("SE", "Southeast"),
                ("SW", "Southwest"))

UNIT_FORMS = ("Apt {}", "Apartment {}", "APT {}", "Unit {}", "# {}", "#{}", "Ste {}", "Lot {}",
              "Trlr {}", "Rm {}")

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split())

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@lru_cache(maxsize=1)
def _zips() -> tuple[tuple[str, str, str], ...]:
    """(ZIP, city, state) of every active standard ZIP of the 50 states and DC."""
    import zipcodes

    return tuple((z["zip_code"], z["city"], z["state"]) for z in zipcodes.list_all()
                 if z["zip_code_type"] == "STANDARD" and z["active"]
                 and z["state"] in US_STATES)


@lru_cache(maxsize=1)
def _area_codes() -> tuple[str, ...]:
    import zipcodes

    return tuple(sorted({c for z in zipcodes.list_all() for c in z["area_codes"]
                         if len(c) == 3 and c[0] in "23456789" and c[1:] != "11"}))


# --------------------------------------------------------------------------- numbers


_EXCHANGES = tuple(x for x in range(200, 1000) if x != 555)
_LINES = 10_000


@lru_cache(maxsize=1)
def _tn_space() -> tuple[int, int]:
    """(modulus, multiplier) of the TN bijection: ids map to distinct (area code, exchange,
    line) triples while ``id < modulus``."""
    modulus = len(_area_codes()) * len(_EXCHANGES) * _LINES
    multiplier = 2_654_435_761  # Knuth's multiplicative constant (prime)
    while math.gcd(multiplier, modulus) != 1:
        multiplier += 2
    return modulus, multiplier


def tn_of(service_id: int) -> str:
    """The 10-digit TN of seeded service ``service_id``: distinct for distinct ids (below
    about 3 * 10**9), scattered over real area codes, exchange never 555."""
    modulus, multiplier = _tn_space()
    if not 0 < service_id < modulus:
        raise SeedError(f"service id {service_id} is beyond the seeded TN space")
    x = (service_id * multiplier) % modulus
    line = x % _LINES
    x //= _LINES
    exchange = _EXCHANGES[x % len(_EXCHANGES)]
    area = _area_codes()[x // len(_EXCHANGES)]
    return f"{area}{exchange}{line:04d}"


def imei_of(item_id: int) -> str:
    """The IMEI of seeded inventory item ``item_id``: ``359`` + 11 digits + Luhn digit."""
    body = f"359{item_id:011d}"
    return body + luhn_digit(body)


# --------------------------------------------------------------------------- the client's catalog


@dataclass(frozen=True)
class PackageChoice:
    id: int
    provider_id: int
    service_type_id: int | None
    type: str | None
    is_lifeline: bool
    products: tuple[tuple[int, int | None, str, Decimal, str | None, str | None, int, bool], ...]
    """(product id, provider id, description, rate, code1, code2, group id, lead)"""


@dataclass(frozen=True)
class Catalog:
    """What of the client's settings a seeded customer uses (plain values: sent to workers)."""

    client_id: int
    code: str
    agent_id: int | None
    bill_profiles: tuple[tuple[int, str, int], ...]  # (id, bill method, payment terms)
    packages: tuple[PackageChoice, ...]
    lifeline_packages: tuple[PackageChoice, ...]
    device_type_id: int


def load_catalog(conn: Connection, client_code: str) -> Catalog:
    """The catalog of client ``client_code``; :class:`SeedError` naming what is missing."""
    client = conn.execute(select(Client.id, Client.code).where(Client.code == client_code)
                          ).first()
    if client is None:
        raise SeedError(f"client {client_code!r} does not exist (load the demo data with "
                        "`openrev demo`, or create the client and its catalog first)")
    cid = client.id
    agent_id = conn.scalar(select(func.min(Agent.id)).where(Agent.client_id == cid))
    profiles = tuple((r.id, r.bill_method, r.payment_terms) for r in conn.execute(
        select(BillProfile.id, BillProfile.bill_method, BillProfile.payment_terms)
        .where(BillProfile.client_id == cid).order_by(BillProfile.id)))
    if not profiles:
        raise SeedError(f"client {client_code!r} has no bill profile")
    device_type = conn.scalar(select(func.min(InventoryType.id)).where(
        InventoryType.client_id == cid, InventoryType.kind == "Mobile_Device"))
    if device_type is None:
        raise SeedError(f"client {client_code!r} has no Mobile_Device inventory type")
    packages = []
    rows = conn.execute(
        select(Package.id, Package.provider_id, Package.service_type_id, Package.is_lifeline,
               ServiceType.description)
        .join(Provider, Provider.id == Package.provider_id)
        .outerjoin(ServiceType, ServiceType.id == Package.service_type_id)
        .where(Package.client_id == cid, Provider.is_wireless.is_(True))
        .order_by(Package.id)).all()
    for p in rows:
        products = tuple(
            (r.product_id, r.provider_id or p.provider_id, r.description, r.rate, r.code1,
             r.code2, r.product_group_id, r.lead_product)
            for r in conn.execute(
                select(PackageProduct.product_id, PackageProduct.product_group_id,
                       PackageProduct.lead_product, Product.provider_id, Product.description,
                       Product.rate, Product.code1, Product.code2, Product.recurring)
                .join(Product, Product.id == PackageProduct.product_id)
                .where(PackageProduct.package_id == p.id)
                .order_by(PackageProduct.sort_order, PackageProduct.id))
            if r.recurring)
        if products:
            packages.append(PackageChoice(p.id, p.provider_id, p.service_type_id,
                                          p.description or "Wireless", bool(p.is_lifeline),
                                          products))
    if not packages:
        raise SeedError(f"client {client_code!r} has no package of a wireless provider with "
                        "a monthly product")
    plain = tuple(p for p in packages if not p.is_lifeline) or tuple(packages)
    lifeline = tuple(p for p in packages if p.is_lifeline) or plain
    return Catalog(cid, client.code, agent_id, profiles, plain, lifeline, device_type)


# --------------------------------------------------------------------------- generation


@dataclass
class IdBases:
    """The id just before the first one of each table for a batch."""

    customer: int
    address: int
    service: int
    item: int


@dataclass
class Batch:
    """The rows of one batch of customers (customer products without ids: the main process
    numbers them)."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def _person(rng: random.Random) -> tuple[str, str, str | None, str | None]:
    first = rng.choice(FIRST_NAMES)
    r = rng.random()
    if r < 0.05:  # a hyphenated last name
        last = f"{rng.choice(LAST_NAMES)}-{rng.choice(LAST_NAMES)}"
    elif r < 0.12:  # a second last name
        last = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
    else:
        last = rng.choice(LAST_NAMES)
    middle = rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.25 else None
    suffix = rng.choice(SUFFIXES) if rng.random() < 0.03 else None
    return first, last, middle, suffix


def _street(rng: random.Random) -> tuple[str, str | None]:
    """(Address1, Address2) of a street address."""
    number = str(rng.choice((rng.randint(1, 999), rng.randint(100, 9999),
                             rng.randint(1000, 29999))))
    short, long_ = rng.choices(STREET_TYPES, STREET_TYPE_WEIGHTS)[0]
    kind = long_ if rng.random() < 0.3 else short
    name = rng.choice(STREET_NAMES)
    parts = [number]
    r = rng.random()
    post = None
    if r < 0.25:
        d = rng.choice(DIRECTIONALS)
        parts.append(d[1] if rng.random() < 0.3 else d[0])
    elif r < 0.30:
        post = rng.choice(DIRECTIONALS)[0]
    parts += [name, kind]
    if post:
        parts.append(post)
    street1 = " ".join(parts)
    street2 = None
    if rng.random() < 0.22:
        unit = str(rng.choice((rng.randint(1, 40), rng.randint(100, 450))))
        if rng.random() < 0.2:
            unit += rng.choice("ABCD")
        text_ = rng.choice(UNIT_FORMS).format(unit)
        if rng.random() < 0.25:
            street1 = f"{street1} {text_}"
        else:
            street2 = text_
    if rng.random() < 0.1:
        street1 = street1.upper()
    return street1, street2


def _ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            break
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _dl(rng: random.Random, state: str) -> str:
    r = rng.random()
    if r < 0.5:
        return rng.choice("ABCDEFGHJKLMNPRSTW") + "".join(rng.choices("0123456789", k=12))
    if r < 0.8:
        return "".join(rng.choices("0123456789", k=rng.choice((8, 9))))
    return f"{state}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


_TODAY = dt.date(2026, 1, 1)
_EPOCH = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)


def _derived(keyring: Any, **values: Any) -> dict[str, Any]:
    """Every derived column of a customer (keyed hashes, match keys) present in the table."""
    fn = getattr(crypto, "customer_key_columns", None)
    if fn is not None:
        out = fn(keyring=keyring, **values)
    else:  # before Duplicate_Query's match keys: the keyed hashes
        out = {h: f(values.get(p), keyring) for h, p, f in crypto.CUSTOMER_HMACS}
    columns = Customer.__table__.c
    return {k: v for k, v in out.items() if k in columns}


def generate_batch(catalog: Catalog, bases: IdBases, count: int, seed: int,
                   keyring: Any = None) -> Batch:
    """``count`` customers with ids after ``bases`` (deterministic for a seed and bases)."""
    keyring = keyring or _keyring.current()
    rng = random.Random(f"openrev-seed/{seed}/{catalog.client_id}/{bases.customer}")
    zips = _zips()
    out = Batch()
    cid = catalog.client_id
    for i in range(1, count + 1):
        customer_id = bases.customer + i
        physical_id = bases.address + 2 * i - 1
        mailing_id = physical_id + 1
        service_id = bases.service + i
        item_id = bases.item + i
        first, last, middle, suffix = _person(rng)
        zip_code, city, state = rng.choice(zips)
        street1, street2 = _street(rng)
        ssn = _ssn(rng)
        dob = _TODAY - dt.timedelta(days=rng.randint(18 * 365, 90 * 365))
        dl = _dl(rng, state)
        created = _EPOCH + dt.timedelta(seconds=rng.randint(0, 7 * 365 * 86400))
        r = rng.random()
        status = "OPEN" if r < 0.82 else ("PENDING" if r < 0.92 else "CLOSED")
        r = rng.random()
        program = ("NON_LIFELINE" if r < 0.85 else
                   "ETC_LIFELINE" if r < 0.97 else "NON_ETC_LIFELINE")
        profile = rng.choice(catalog.bill_profiles)
        address = {"client_id": cid, "customer_id": customer_id, "first_name": first,
                   "last_name": last, "middle_name": middle, "suffix": suffix,
                   "company_name": None, "city": city, "state": state, "zip": zip_code,
                   "zip4": f"{rng.randint(1, 9999):04d}" if rng.random() < 0.4 else None,
                   "country": "USA"}
        out.addresses.append({**address, "id": physical_id, "kind": "PHYSICAL",
                              "address1": street1, "address2": street2})
        if rng.random() < 0.15:
            m1, m2 = f"PO Box {rng.randint(1, 9999)}", None
        else:
            m1, m2 = street1, street2
        out.addresses.append({**address, "id": mailing_id, "kind": "MAILING",
                              "address1": m1, "address2": m2})
        email_name = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii()
                             and (ch.isalnum() or ch == "."))
        customer = {
            "id": customer_id, "client_id": cid, "acct_num": f"{catalog.code}-{customer_id:07d}",
            "status": status, "customer_class": "Residential" if rng.random() < 0.96
            else "Business", "agent_id": catalog.agent_id, "bill_profile_id": profile[0],
            "bill_method": profile[1], "payment_terms": profile[2],
            "contract_start": created.date(), "security_pin": f"{rng.randint(0, 9999):04d}",
            "language": "Spanish" if rng.random() < 0.12 else "English", "dob": dob,
            "dl": dl, "ssn": ssn, "email": f"{email_name}{rng.randint(1, 999)}@"
            f"{rng.choice(EMAIL_DOMAINS)}", "created_at": created,
            "physical_address_id": physical_id, "mailing_address_id": mailing_id,
            "lifeline_program": program,
        }
        customer.update(_derived(keyring, ssn=ssn, dl=dl, dob=dob, first_name=first,
                                 last_name=last, street1=street1, street2=street2, city=city,
                                 state=state, zip=zip_code, middle_name=middle,
                                 suffix=suffix))
        out.customers.append(customer)
        package = rng.choice(catalog.lifeline_packages if program != "NON_LIFELINE"
                             else catalog.packages)
        line_status = {"OPEN": "ACTIVE", "PENDING": "PENDING", "CLOSED": "DISCONNECTED"}[status]
        tn = tn_of(service_id)
        out.services.append({
            "id": service_id, "client_id": cid, "customer_id": customer_id, "tn": tn,
            "type": package.type, "service_type_id": package.service_type_id,
            "provider_id": package.provider_id, "package_id": package.id,
            "status": line_status, "created_at": created})
        chosen = package.products[:1 + (len(package.products) > 1 and rng.random() < 0.5)]
        product_status = {"ACTIVE": "ACTIVE", "PENDING": "PENDING",
                          "DISCONNECTED": "DISCONNECTED"}[line_status]
        for (pid, provider, description, rate, code1, code2, group, lead) in chosen:
            out.products.append({
                "client_id": cid, "customer_id": customer_id, "service_id": service_id,
                "product_id": pid, "provider_id": provider, "status": product_status,
                "description": description, "rate": rate, "quantity": 1, "code1": code1,
                "code2": code2, "product_group_id": group, "lead_product": lead,
                "activated_date": created.date() if status != "PENDING" else None})
        out.items.append({
            "id": item_id, "client_id": cid, "inventory_type_id": catalog.device_type_id,
            "identifier": imei_of(item_id), "status": "ASSIGNED",
            "customer_id": customer_id, "service_id": service_id,
            "assigned_date": created.date(), "msid": tn, "mdn": tn})
    return out


# --------------------------------------------------------------------------- encoding


TABLES = (Customer.__table__, Address.__table__, Service.__table__,
          CustomerProduct.__table__, InventoryItem.__table__)


def _dialect(name: str) -> Any:
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql.psycopg import dialect as pg_dialect

        return pg_dialect()
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite.pysqlite import dialect as sqlite_dialect

        return sqlite_dialect()
    raise SeedError(f"seeding a {name} database is not supported")


@lru_cache(maxsize=None)
def _plan(table_name: str, keys: tuple[str, ...], dialect_name: str
          ) -> tuple[tuple[str, ...], tuple[tuple[Any, Any], ...]]:
    """(columns, (default, bind processor) per column) to turn a generated row into the
    values the driver gets: each column's own bind processing (so the Encrypted columns
    encrypt, Money quantizes, dates take SQLAlchemy's storage form), and the Python-side
    default of a column the generator does not give (what a Core insert would apply)."""
    dialect = _dialect(dialect_name)
    table = next(t for t in TABLES if t.name == table_name)
    columns, steps = [], []
    for col in table.c:
        default = _MISSING
        if col.name not in keys:
            if col.default is None:
                continue
            default = col.default  # a Python-side default: applied per row below
        columns.append(col.name)
        steps.append((default, col.type.dialect_impl(dialect).bind_processor(dialect)))
    return tuple(columns), tuple(steps)


_MISSING = object()


def encode_rows(table_name: str, rows: list[dict[str, Any]], dialect_name: str
                ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """``rows`` as (columns, tuples) ready for the driver of ``dialect_name``."""
    if not rows:
        return (), []
    columns, steps = _plan(table_name, tuple(sorted(rows[0])), dialect_name)
    named = tuple(zip(columns, steps))
    out = []
    for row in rows:
        values = []
        for name, (default, proc) in named:
            if default is _MISSING:
                v = row[name]
            else:
                v = default.arg(None) if default.is_callable else default.arg
            values.append(v if proc is None or v is None else proc(v))
        out.append(tuple(values))
    return columns, out


Encoded = dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]


def encode_batch(batch: Batch, dialect_name: str) -> Encoded:
    return {name: encode_rows(name, rows, dialect_name) for name, rows in (
        ("customers", batch.customers), ("addresses", batch.addresses),
        ("services", batch.services), ("customer_products", batch.products),
        ("inventory_items", batch.items))}


# worker processes: the keyring arrives once, through the pool's initializer
_worker_keyring: Any = None


def _init_worker(keys: list[bytes], source: str) -> None:
    global _worker_keyring
    _worker_keyring = _keyring.Keyring(keys, source)
    _keyring.configure(_worker_keyring)


Job = tuple[Catalog, IdBases, int, int, int, str]


def _make(job: Job, keyring: Any = None) -> tuple[int, Encoded]:
    catalog, bases, count, seed, first_product, dialect_name = job
    batch = generate_batch(catalog, bases, count, seed, keyring or _worker_keyring)
    for i, p in enumerate(batch.products, start=first_product):
        p["id"] = i
    return count, encode_batch(batch, dialect_name)


# --------------------------------------------------------------------------- loading


@dataclass
class SeedResult:
    customers: int
    first_customer_id: int
    last_customer_id: int
    rows: int
    seconds: float


def _max_id(conn: Connection, table: Any) -> int:
    return conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0


def _reserve_ids(conn: Connection, table: Any, count: int) -> int:
    """The id before a range of ``count`` free ids of ``table``; on PostgreSQL the id
    sequence is moved past the range, so that concurrent inserts never take one."""
    base = _max_id(conn, table)
    if conn.dialect.name == "postgresql":
        seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                          {"t": table.name})
        if seq:
            base = max(base, conn.scalar(text("SELECT nextval(:s)"), {"s": seq}) - 1)
            conn.execute(text("SELECT setval(:s, :v)"), {"s": seq, "v": base + count})
    return base


def _jobs(catalog: Catalog, n: int, batch: int, seed: int, starts: IdBases,
          first_product: int, dialect_name: str) -> Iterator[Job]:
    done = 0
    while done < n:
        count = min(batch, n - done)
        yield (catalog, IdBases(starts.customer + done, starts.address + 2 * done,
                                starts.service + done, starts.item + done), count, seed,
               first_product + 2 * done, dialect_name)
        done += count


def _copy(cursor: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
          ) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write_postgres(conn: Connection, data: Encoded) -> None:
    """One batch on PostgreSQL: COPY. Customers and their addresses point at each other
    (foreign keys checked at the end of each statement), so both are copied into temporary
    tables and inserted by one statement (a data-modifying WITH)."""
    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
    cursor = conn.connection.driver_connection.cursor()
    try:
        for name in ("customers", "addresses"):
            conn.exec_driver_sql(f"CREATE TEMP TABLE seed_{name} ON COMMIT DROP AS "
                                 f"SELECT * FROM {name} WITH NO DATA")
            _copy(cursor, f"seed_{name}", *data[name])
        c_cols = ", ".join(data["customers"][0])
        a_cols = ", ".join(data["addresses"][0])
        conn.exec_driver_sql(
            f"WITH c AS (INSERT INTO customers ({c_cols}) SELECT {c_cols} FROM seed_customers)"
            f" INSERT INTO addresses ({a_cols}) SELECT {a_cols} FROM seed_addresses")
        for name in ("services", "customer_products", "inventory_items"):
            _copy(cursor, name, *data[name])
    finally:
        cursor.close()


def _write_sqlite(conn: Connection, data: Encoded) -> None:
    """One batch on SQLite: executemany; foreign keys checked at the commit."""
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for name in ("customers", "addresses", "services", "customer_products",
                 "inventory_items"):
        columns, rows = data[name]
        if rows:
            conn.exec_driver_sql(
                f"INSERT INTO {name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})", rows)


def seed_customers(engine: Engine, n: int, *, client_code: str = "DEMO", seed: int = 0,
                   batch_size: int = DEFAULT_BATCH, jobs: int | None = None,
                   progress: Callable[[int, int, float], None] | None = None) -> SeedResult:
    """Insert ``n`` synthetic customers of ``client_code`` (see the module docstring).

    ``jobs``: worker processes generating rows (default: the CPU count; 1 = in this
    process). ``progress(done, n, seconds)`` is called after every batch."""
    if n < 0:
        raise SeedError("the number of customers must not be negative")
    dialect_name = engine.dialect.name
    _dialect(dialect_name)  # supported?
    started = time.monotonic()
    keyring = _keyring.current()
    c_t, a_t, s_t, p_t, i_t = TABLES
    with engine.begin() as conn:
        catalog = load_catalog(conn, client_code)
        if n == 0:
            return SeedResult(0, 0, -1, 0, 0.0)
        starts = IdBases(_reserve_ids(conn, c_t, n), _reserve_ids(conn, a_t, 2 * n),
                         _reserve_ids(conn, s_t, n), _reserve_ids(conn, i_t, n))
        first_product = _reserve_ids(conn, p_t, 2 * n) + 1
    modulus, _ = _tn_space()
    if starts.service + n >= modulus:
        raise SeedError("the seeded TN space is exhausted")
    batch_size = max(1, batch_size)
    jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    work = _jobs(catalog, n, batch_size, seed, starts, first_product, dialect_name)
    pool = None
    if jobs > 1 and n > batch_size:
        pool = multiprocessing.get_context("spawn").Pool(
            jobs, initializer=_init_worker, initargs=(keyring.keys, keyring.source))
        batches: Iterator[tuple[int, Encoded]] = pool.imap(_make, work)
    else:
        batches = (_make(job, keyring) for job in work)
    write = _write_postgres if dialect_name == "postgresql" else _write_sqlite
    done = rows = 0
    try:
        for count, data in batches:
            with engine.begin() as conn:
                if dialect_name == "sqlite":
                    conn.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MiB
                write(conn, data)
            done += count
            rows += sum(len(r) for _, r in data.values())
            if progress is not None:
                progress(done, n, time.monotonic() - started)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    # fresh statistics for the planner: exact for the tables loaded, and whatever else is
    # stale (on SQLite the server's open connections then re-read them, openrev.store.stats)
    refresh_statistics(engine, tables=[t.name for t in TABLES], analysis_limit=0)
    return SeedResult(done, starts.customer + 1, starts.customer + done, rows,
                      time.monotonic() - started)
