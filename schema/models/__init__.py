"""Tortoise models: the database schema. Every change here needs a migration (`make migrations`)."""

from schema.models.channels import Channel
from schema.models.cron import CronJob
from schema.models.messages import Delivery, DeliveryAttempt, InboxItem, Message
from schema.models.security import ApiKey, AuditLog
from schema.models.site_settings import SiteSettings
from schema.models.stats import DeliveryStat, ErrorStat
from schema.models.tasks import Binding, Task, Template
from schema.models.users import User

__all__ = [
    "ApiKey",
    "AuditLog",
    "Binding",
    "Channel",
    "CronJob",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStat",
    "ErrorStat",
    "InboxItem",
    "Message",
    "SiteSettings",
    "Task",
    "Template",
    "User",
]
