"""What the uploads app announces; the apps that care react (the benchmark stores KPI values).

Why a signal: the dependencies point one way (benchmark → uploads). The importer says what
happened and never calls the benchmark; the benchmark connects its receiver in its AppConfig.
"""

from django.dispatch import Signal

# Sent inside the import's transaction, once the import is marked imported and the practice's
# current import of that year is set: ``imp`` (the Import) and ``export`` (the validated
# ``parabench_format`` Export). A receiver that raises rolls the whole import back.
export_imported = Signal()
