"""Form helpers every app's pages share."""


class DomainErrorFormMixin:
    """Put a service's refusal where the shopper will look: on the fields it names (through
    `field_for_key` when the service's key differs from the form's field name), else on
    `field_for_code[exc.code]`, else at the top of the form."""

    field_for_key: dict[str, str] = {}
    field_for_code: dict[str, str] = {}

    def add_domain_error(self, exc) -> None:
        placed = False
        for key, messages in exc.fields.items():
            name = self.field_for_key.get(key, key)
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)
            placed = True
        if not placed:
            self.add_error(self.field_for_code.get(exc.code), exc.message)
