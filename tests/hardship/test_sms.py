"""The SMS backends: the console, the file make run and the tests read codes from, and the provider's HTTP API
(tested against a fake provider on loopback, started here). A failing provider never raises."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from hardship.sms import MemoryBackend, sms_file_messages, sms_send


class FakeProvider(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 — http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        FakeProvider.received.append({"auth": self.headers["Authorization"], "body": json.loads(body)})
        self.send_response(FakeProvider.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "msg-1"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    FakeProvider.received, FakeProvider.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def http_settings(settings, url):
    settings.SMS_BACKEND = "hardship.sms.HttpBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_KEY, settings.SMS_SIGN_NAME = url, "k-123", "无锡工会"
    settings.SMS_HTTP_TIMEOUT = 2


def test_the_provider_receives_the_phone_the_sign_name_and_the_text_with_its_key(settings, provider):
    http_settings(settings, provider)

    result = sms_send(phone="13800000001", text="您的验证码是 123456")

    assert result.ok and result.provider_id == "msg-1"
    assert FakeProvider.received == [
        {"auth": "Bearer k-123", "body": {"phone": "13800000001", "sign": "无锡工会", "text": "您的验证码是 123456"}}
    ]


def test_a_provider_refusing_the_message_is_a_failed_result_not_an_exception(settings, provider):
    http_settings(settings, provider)
    FakeProvider.status = 500

    result = sms_send(phone="13800000001", text="x")

    assert not result.ok and "500" in result.error


def test_an_unreachable_provider_is_a_failed_result_not_an_exception(settings, provider):
    http_settings(settings, "http://127.0.0.1:9/send")  # the discard port: nothing listens

    assert not sms_send(phone="13800000001", text="x").ok


def test_the_file_backend_writes_one_json_line_per_message(settings, tmp_path):
    settings.SMS_BACKEND, settings.SMS_FILE_DIR = "hardship.sms.FileBackend", tmp_path

    sms_send(phone="13800000001", text="验证码 111111")
    sms_send(phone="13800000002", text="验证码 222222")

    assert [m["text"] for m in sms_file_messages("13800000002")] == ["验证码 222222"]
    assert len((tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "hardship.sms.ConsoleBackend"

    sms_send(phone="13800000001", text="验证码 333333")

    assert "13800000001" in capsys.readouterr().out


def test_the_memory_backend_keeps_the_outbox(settings):
    settings.SMS_BACKEND = "hardship.sms.MemoryBackend"
    MemoryBackend.outbox.clear()

    sms_send(phone="13800000001", text="hi")

    assert MemoryBackend.outbox == [{"phone": "13800000001", "text": "hi"}]
