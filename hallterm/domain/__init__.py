"""Pure rules of the service hall: no Textual, no SQL."""
