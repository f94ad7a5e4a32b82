"""Seeded test data: people, addresses, money, B2B VAT numbers.

Every value comes from the ``random.Random`` passed in, so one seed gives the same
orders on every run. The data deliberately includes what breaks importers: non-Latin
and combining-character names, missing address line 2 and phone, several currencies.
"""

from decimal import ROUND_HALF_UP, Decimal

FIRST_NAMES = [
    "Anna", "Jürgen", "Zoë", "José", "Łukasz", "Søren", "François", "Siobhán",
    "Çağla", "Dvořák", "Björn", "Renée", "María José", "Émile", "Ngọc", "O'Brien",
    "山田", "Ангелина", "Ελένη", "محمد", "Nuño", "Åsa",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Nuñez", "Smith", "Kowalczyk", "Øster", "Dupont-Lefèvre", "Rossi",
    "García Márquez", "Öztürk", "Jensen", "van der Berg", "太郎", "Иванова",
    "Παπαδόπουλος", "Nguyễn", "McAllister", "Straße", "d'Alembert",
]  # fmt: skip
STREETS = [
    "Hauptstraße", "Rue de l'Église", "Calle Mayor", "Via Roma", "High Street",
    "Kongens Gade", "Ulica Długa", "Main St", "Av. da Liberdade", "Große Bäckerstraße",
]  # fmt: skip
COMPANIES = ["Müller & Söhne GmbH", "Atelier Dupré SARL", "Rossi S.p.A.", "Acme Ltd"]

# country -> (city, region, postal code pattern, phone prefix, currency, VAT prefix)
COUNTRIES = {
    "US": ("Seattle", "WA", "981##", "+1 206", "USD", None),
    "DE": ("München", "Bayern", "80###", "+49 89", "EUR", "DE"),
    "FR": ("Lyon", "Auvergne-Rhône-Alpes", "690##", "+33 4", "EUR", "FR"),
    "IT": ("Milano", "MI", "201##", "+39 02", "EUR", "IT"),
    "ES": ("Sevilla", "Andalucía", "410##", "+34 95", "EUR", "ES"),
    "GB": ("Manchester", "Greater Manchester", "M1 #AA", "+44 161", "GBP", "GB"),
    "PL": ("Kraków", "Małopolskie", "30-###", "+48 12", "PLN", "PL"),
    "SE": ("Göteborg", "Västra Götaland", "411 ##", "+46 31", "SEK", "SE"),
}

CENT = Decimal("0.01")
# Currencies without minor units: amounts must not carry decimals.
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "HUF"}


def money(value, currency="EUR"):
    """Round a number to the currency's minor unit, as a Decimal."""
    exponent = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else CENT
    return Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)


class DataGenerator:
    def __init__(self, rng):
        self.rng = rng

    def chance(self, probability):
        return self.rng.random() < probability

    def digits(self, count):
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def pattern(self, text):
        """Replace ``#`` with a digit and ``A`` with an uppercase letter."""
        out = []
        for char in text:
            if char == "#":
                out.append(str(self.rng.randrange(10)))
            elif char == "A":
                out.append(self.rng.choice("ABDEFGHJLNPQRSTUWXYZ"))
            else:
                out.append(char)
        return "".join(out)

    def person_name(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def company(self):
        return self.rng.choice(COMPANIES)

    def email(self, domain="example.com"):
        return f"buyer{self.digits(8)}@{domain}"

    def address(self, country=None, line2=None, phone=None):
        """A postal address dict; ``line2``/``phone`` None = decided by the RNG.

        Keys: name, line1, line2 (may be None), city, region, postal_code, country, phone.
        """
        country = country or self.rng.choice(sorted(COUNTRIES))
        city, region, postal, prefix, _currency, _vat = COUNTRIES[country]
        with_line2 = self.chance(0.4) if line2 is None else line2
        with_phone = self.chance(0.6) if phone is None else phone
        return {
            "name": self.person_name(),
            "line1": f"{self.rng.choice(STREETS)} {self.rng.randint(1, 240)}",
            "line2": f"Apt {self.rng.randint(1, 90)}" if with_line2 else None,
            "city": city,
            "region": region,
            "postal_code": self.pattern(postal),
            "country": country,
            "phone": f"{prefix} {self.digits(7)}" if with_phone else None,
        }

    def currency_for(self, country):
        return COUNTRIES[country][4]

    def vat_number(self, country):
        """A plausible (format-only) EU/UK VAT number, or None where VAT ids do not apply."""
        prefix = COUNTRIES[country][5]
        return f"{prefix}{self.digits(11 if prefix in ('FR', 'IT') else 9)}" if prefix else None

    def price(self, low=5, high=250, currency="EUR"):
        return money(self.rng.uniform(low, high), currency)

    def sku(self, prefix="SKU"):
        return f"{prefix}-{self.digits(5)}"
