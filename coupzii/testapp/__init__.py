"""An app installed only by the test settings: a stand-in for the apps that register things
with lower apps' registries (payables, ledger kinds, notification kinds), so the registries are
tested with a registrant that is not the shop."""
