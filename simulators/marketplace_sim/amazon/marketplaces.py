"""Amazon marketplaces the simulated seller sells on, and their money conventions."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Marketplace:
    id: str
    country: str
    currency: str
    name: str
    domain: str
    language: str
    # EU/UK prices include VAT (the tax amount is the VAT inside the price); US prices
    # exclude sales tax (the tax amount comes on top).
    tax_included: bool
    tax_rate: Decimal
    fx: Decimal  # catalogue prices are in EUR; multiply to get this currency


MARKETPLACES = {
    m.id: m
    for m in (
        Marketplace(
            "ATVPDKIKX0DER", "US", "USD", "Amazon.com", "www.amazon.com", "en_US",
            False, Decimal("0.0825"), Decimal("1.08"),
        ),
        Marketplace(
            "A1PA6795UKMFR9", "DE", "EUR", "Amazon.de", "www.amazon.de", "de_DE",
            True, Decimal("0.19"), Decimal("1"),
        ),
        Marketplace(
            "A1F83G8C2ARO7P", "GB", "GBP", "Amazon.co.uk", "www.amazon.co.uk", "en_GB",
            True, Decimal("0.20"), Decimal("0.86"),
        ),
        Marketplace(
            "A13V1IB3VIYZZH", "FR", "EUR", "Amazon.fr", "www.amazon.fr", "fr_FR",
            True, Decimal("0.20"), Decimal("1"),
        ),
        Marketplace(
            "APJ6JRA9NG5V4", "IT", "EUR", "Amazon.it", "www.amazon.it", "it_IT",
            True, Decimal("0.22"), Decimal("1"),
        ),
        Marketplace(
            "A1RKKUPIHCS9HS", "ES", "EUR", "Amazon.es", "www.amazon.es", "es_ES",
            True, Decimal("0.21"), Decimal("1"),
        ),
        Marketplace(
            "A1805IZSGTT6HS", "PL", "PLN", "Amazon.pl", "www.amazon.pl", "pl_PL",
            True, Decimal("0.23"), Decimal("4.30"),
        ),
    )
}  # fmt: skip

US, DE, UK = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1F83G8C2ARO7P"
