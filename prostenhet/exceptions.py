class DomainError(Exception):
    """A domain operation refused: the message is for the user (Swedish, translated)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
