"""The affiliate networks we pull sales from and take postbacks from, by our name for each."""

from django.conf import settings

from .adapter import NetworkAdapter
from .admitad import AdmitadAdapter
from .cuelinks import CuelinksAdapter
from .vcommission import VCommissionAdapter

ADAPTERS: dict[str, type[NetworkAdapter]] = {
    adapter.name: adapter for adapter in (AdmitadAdapter, VCommissionAdapter, CuelinksAdapter)
}


def get_adapter(name: str) -> NetworkAdapter:
    """The adapter for `name`, built from settings.AFFILIATE_NETWORKS. KeyError if unknown."""
    if name not in ADAPTERS:
        raise KeyError(f"No affiliate network called {name!r}")
    return ADAPTERS[name].from_settings()


def configured_networks() -> list[str]:
    """The networks whose API credentials are all set, so a pull can run."""
    configs = settings.AFFILIATE_NETWORKS
    return [
        name
        for name, adapter in ADAPTERS.items()
        if all(configs.get(name, {}).get(key) for key in adapter.credential_keys)
    ]
