"""The data file: reading it (YAML, safely and with positions), its schema, validation, building the model, writing it."""
