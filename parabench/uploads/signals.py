"""What the uploads app announces; the apps that care react (the benchmark stores KPI values).

Why a signal: the dependencies point one way (benchmark → uploads). The importer says what
happened and never calls the benchmark; the benchmark connects its receiver in its AppConfig.
"""

from django.dispatch import Signal

# Sent inside the transaction of a batch of imports, once they are marked imported and the
# practices' current imports are set: ``batch``, a list of ``(imp, export)`` — the Import and its
# validated ``parabench_format`` Export. One signal per batch, so a receiver can write in bulk.
# A receiver that raises rolls the whole batch back.
exports_imported = Signal()
