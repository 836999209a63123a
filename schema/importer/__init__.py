"""Importers from other push platforms into PushNest (`pushnest import-message-nest`)."""

from schema.importer.message_nest import import_message_nest
from schema.importer.report import ImportReport
from schema.importer.source import SourceError

__all__ = ["ImportReport", "SourceError", "import_message_nest"]
