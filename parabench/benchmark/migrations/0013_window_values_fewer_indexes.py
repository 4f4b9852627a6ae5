"""WindowValues without the five indexes Django gives every foreign key: see the model."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('benchmark', '0012_drop_counted_cells_index'),
        ('practices', '0002_profile'),
        ('uploads', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='windowvalues',
            name='cells_layout',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benchmark.layout', verbose_name='indeling casemixcellen'),
        ),
        migrations.AlterField(
            model_name='windowvalues',
            name='growth_layout',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benchmark.layout', verbose_name='indeling groei'),
        ),
        migrations.AlterField(
            model_name='windowvalues',
            name='imp',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='benchmark_windows', to='uploads.import', verbose_name='import'),
        ),
        migrations.AlterField(
            model_name='windowvalues',
            name='layout',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='benchmark.layout', verbose_name='indeling KPI-waarden'),
        ),
        migrations.AlterField(
            model_name='windowvalues',
            name='practice',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='practices.practice', verbose_name='praktijk'),
        ),
    ]
