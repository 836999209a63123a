from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from schema.models.messages import DeliveryStatus
from tortoise import fields
from schema.db import ChoicesChanged

class Migration(migrations.Migration):
    dependencies = [('models', '0011_message_unknown_status')]

    initial = False

    operations = [
        ChoicesChanged(
            model_name='Delivery',
            name='status',
            field=fields.CharEnumField(default=DeliveryStatus.QUEUED, description='QUEUED: queued\nSENDING: sending\nRETRYING: retrying\nRATE_LIMITED: rate_limited\nSUCCEEDED: succeeded\nPARTIAL: partial\nFAILED: failed\nUNKNOWN: unknown', enum_type=DeliveryStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Delivery',
            name='receiver_outcomes',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
