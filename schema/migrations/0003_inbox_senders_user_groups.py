from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_channel_allow_private_targets')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboxItem',
            name='sender_key_name',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='InboxItem',
            name='sender_name',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='groups',
            field=fields.JSONField(null=True, default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
