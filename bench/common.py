"""Pieces every benchmark script shares."""

from pathlib import Path


def fresh_database(url: str) -> None:
    """An empty database at ``url``: SQLite files removed, PostgreSQL dropped and created.

    ``WITH (FORCE)`` because a pooled connection of an earlier run may still hold the database.
    """
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def create_country(province, network, networks: int) -> list[int]:
    """Networks 1…``networks`` and one practice per entry of ``province`` (``network[i]`` is its
    network index, or negative for none); returns the practice ids in AGB order.

    Runs inside the caller's transaction; the caller has set Django up.
    """
    from parabench.practices.models import Network, Practice

    Network.objects.bulk_create(
        [Network(number=i + 1, name=f"Netwerk {i + 1}") for i in range(networks)],
        batch_size=5000,
    )
    network_ids = dict(Network.objects.values_list("number", "pk"))
    Practice.objects.bulk_create(
        [
            Practice(
                agb_code=f"04{i:06d}",
                name=f"Praktijk {i}",
                province=str(province[i]),
                network_id=None if network[i] < 0 else network_ids[int(network[i]) + 1],
            )
            for i in range(len(province))
        ],
        batch_size=5000,
    )
    return list(Practice.objects.order_by("agb_code").values_list("pk", flat=True))
