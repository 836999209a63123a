from tortoise import migrations
from tortoise.migrations import operations as ops
from schema.models.messages import MessageStatus
from tortoise import fields
from schema.db import ChoicesChanged

class Migration(migrations.Migration):
    dependencies = [('models', '0010_imported_items_and_forced_password_change')]

    initial = False

    operations = [
        ChoicesChanged(
            model_name='Message',
            name='status',
            field=fields.CharEnumField(default=MessageStatus.QUEUED, description='SCHEDULED: scheduled\nQUEUED: queued\nSENDING: sending\nSUCCEEDED: succeeded\nPARTIAL: partial\nFAILED: failed\nUNKNOWN: unknown', enum_type=MessageStatus, max_length=16),
        ),
    ]
