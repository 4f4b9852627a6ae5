"""The uploads tests' real processes (a worker with a test CA and storage) for the benchmark's own
worker tests."""

from tests.uploads.conftest import ca_dir, child_env, test_ca, upload_storage  # noqa: F401
