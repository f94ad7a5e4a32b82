"""Sell Account business policies (fulfillment, payment, return), seeded per marketplace."""

import copy

from .errors import raise_spec
from .orders import CARRIERS, MARKETPLACES, amount

KINDS = {
    "fulfillmentPolicyId": "fulfillmentPolicies",
    "paymentPolicyId": "paymentPolicies",
    "returnPolicyId": "returnPolicies",
}
GOODS = [{"name": "ALL_EXCLUDING_MOTORS_VEHICLES", "default": True}]


class AccountState:
    def __init__(self):
        # {"fulfillmentPolicies": {policyId: policy}, ...}; ids are stable across seeds so
        # connector fixtures can hard-code them.
        self.policies = {collection: {} for collection in KINDS.values()}
        for index, marketplace in enumerate(MARKETPLACES, start=1):
            self._seed(index, marketplace)

    def _seed(self, index, marketplace):
        currency, country, _remit, _seller_tax = MARKETPLACES[marketplace]
        base = 6000000000 + index * 100
        carrier = CARRIERS[country]
        self.policies["fulfillmentPolicies"][str(base + 1)] = {
            "fulfillmentPolicyId": str(base + 1),
            "name": f"Standard shipping {country}",
            "marketplaceId": marketplace,
            "categoryTypes": GOODS,
            "handlingTime": {"unit": "DAY", "value": 1},
            "localPickup": False,
            "freightShipping": False,
            "globalShipping": False,
            "pickupDropOff": False,
            "shippingOptions": [
                {
                    "optionType": "DOMESTIC",
                    "costType": "FLAT_RATE",
                    "shippingServices": [
                        {
                            "sortOrder": 1,
                            "shippingCarrierCode": carrier,
                            "shippingServiceCode": f"{carrier}_STANDARD",
                            "shippingCost": amount("4.95", currency),
                            "additionalShippingCost": amount("1.00", currency),
                            "freeShipping": False,
                            "buyerResponsibleForShipping": False,
                            "buyerResponsibleForPickup": False,
                        }
                    ],
                }
            ],
            "shipToLocations": {
                "regionIncluded": [{"regionName": country, "regionType": "COUNTRY"}]
            },
        }
        self.policies["paymentPolicies"][str(base + 2)] = {
            "paymentPolicyId": str(base + 2),
            "name": f"eBay managed payments {country}",
            "marketplaceId": marketplace,
            "categoryTypes": GOODS,
            "immediatePay": True,
            "paymentMethods": [],
        }
        self.policies["returnPolicies"][str(base + 3)] = {
            "returnPolicyId": str(base + 3),
            "name": f"30 days returns {country}",
            "marketplaceId": marketplace,
            "categoryTypes": GOODS,
            "returnsAccepted": True,
            "returnPeriod": {"unit": "DAY", "value": 30},
            "refundMethod": "MONEY_BACK",
            "returnShippingCostPayer": "BUYER",
        }

    def list(self, collection, marketplace_id, operation):
        if marketplace_id not in MARKETPLACES:
            raise_spec(
                400, operation, 20403, fieldName="marketplace_id", additionalInfo=marketplace_id
            )
        return [
            copy.deepcopy(policy)
            for policy in self.policies[collection].values()
            if policy["marketplaceId"] == marketplace_id
        ]

    def default_ids(self, marketplace_id):
        """``listingPolicies`` of the first policy of each kind on a marketplace."""
        return {
            kind: next(
                pid
                for pid, policy in self.policies[collection].items()
                if policy["marketplaceId"] == marketplace_id
            )
            for kind, collection in KINDS.items()
        }

    def exists(self, kind, policy_id, marketplace_id):
        policy = self.policies[KINDS[kind]].get(policy_id or "")
        return policy is not None and policy["marketplaceId"] == marketplace_id
