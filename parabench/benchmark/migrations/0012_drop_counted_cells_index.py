"""The partial index of counted rows with cells served a query of its own for the reference
rates; the rates now take their cells from the query that reads each window anyway
(``recompute._read_window``), so the index only cost writes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('benchmark', '0011_cells_lz4'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='windowvalues',
            name='benchmark_wv_counted_cells',
        ),
    ]
