"""The ParaBench export client: reads practice records, exports parabench-mi/1, uploads over mTLS.

The version is here, once: the client's own package metadata (packaging/client) reads it, the
export carries it as ``software.version`` and ``--version`` prints it.
"""

__version__ = "0.2.0"
