"""The attachment flow on both storage backends: the local filesystem, and an S3-compatible object
store (moto's server on loopback, started here: no internet) as several web nodes would share.

Upload through the page, download through the scoped view, refused out of scope; on S3 the object
is in the bucket and no file is written to the node's disk.
"""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Attachment
from hardship.settings.base import s3_storage
from tests.cases.test_standards_and_attachments import _household

PDF = b"%PDF-1.4\n% income proof\n" + bytes(range(256)) * 8
BUCKET = "portal-attachments"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def backend(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "filesystem":
        yield None
        return
    endpoint = request.getfixturevalue("s3_server")
    credentials = {"aws_access_key_id": "portal-test", "aws_secret_access_key": "portal-test-secret"}
    bucket = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1", **credentials).Bucket(BUCKET)
    bucket.create()
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(
        bucket_name=BUCKET, endpoint_url=endpoint, region_name="us-east-1",
        access_key=credentials["aws_access_key_id"], secret_key=credentials["aws_secret_access_key"])}  # fmt: skip
    yield bucket
    bucket.objects.all().delete()
    bucket.delete()


def test_an_attachment_is_uploaded_and_downloaded_in_scope_only(backend, client, tree, standard, grassroots,
                                                                out_of_scope_user, settings):  # fmt: skip
    household = _household(grassroots, tree["company"], "20000")
    client.force_login(grassroots)

    upload = {"kind": "income_proof", "file": SimpleUploadedFile("收入证明.pdf", PDF)}
    response = client.post(reverse("cases:attachment_upload", args=[household.pk]), upload, follow=True)

    attachment = Attachment.objects.get()
    assert "材料已上传" in response.content.decode()
    url = reverse("cases:attachment_download", args=[household.pk, attachment.pk])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    if backend is not None:  # S3: the object is in the bucket, nothing on this node's disk
        assert backend.Object(attachment.file.name).get()["Body"].read() == PDF
        assert not settings.MEDIA_ROOT.exists()
    else:
        assert (settings.MEDIA_ROOT / attachment.file.name).read_bytes() == PDF
    client.force_login(out_of_scope_user)
    assert client.get(url).status_code == 404
