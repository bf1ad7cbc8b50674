"""``make prod-check``'s own bookkeeping: it counts what it claims to count."""

import socket

from bench.prod_check import established, mail_recipients


def test_two_messages_in_one_file_count_as_two_recipients(tmp_path):
    # Django's file backend appends a second message sent in the same second to the same file.
    (tmp_path / "20261130-080000-1.log").write_text(
        "Subject: a\nTo: one@example.test\n\nBody\n" + "-" * 79 + "\nSubject: b\nTo: two@example.test\n\nBody\n"
    )
    (tmp_path / "20261130-080001-2.log").write_text("Subject: c\nTo: three@example.test\n\nTo: not-a-header\n")

    assert mail_recipients(tmp_path) == {"one@example.test", "two@example.test", "three@example.test"}
    assert mail_recipients(tmp_path / "missing") == set()


def test_open_connections_to_a_port_are_counted():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert established(port) == 0
        with socket.create_connection(("127.0.0.1", port)):
            accepted, _ = server.accept()
            with accepted:
                assert established(port) == 1  # the server's end of it (the client's local port differs)


def test_a_killed_node_counts_as_gone_only_once_its_port_refuses():
    from bench.topology import port_open

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_open(port)
    assert not port_open(port)
    assert not port_open(None)


def test_a_database_without_the_demo_officer_is_not_taken_for_seeded():
    from bench.topology import demo_data_present

    assert not demo_data_present("postgres://nobody@127.0.0.1:1/nothing")
