"""The SigV4 signer against AWS's published Signature Version 4 test suite
(https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, the
``aws-sig-v4-test-suite`` cases named below) and the IAM example of "Create a signed AWS API request"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). The credentials are
AWS's documented example values (they grant nothing)."""

from __future__ import annotations

import pytest

from scanner.verify import aws_sigv4

KEY_ID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
DATE = "20150830T123600Z"
HOST = "https://example.amazonaws.com"
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def sign(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"",
         host: str = HOST, service: str = "service") -> aws_sigv4.Signed:
    return aws_sigv4.sign(method, host + target, headers or {}, body, access_key_id=KEY_ID, secret_key=SECRET,
                          region="us-east-1", service=service, amz_date=DATE)


VECTORS = [
    # name, method, target, headers, body, signed headers, signature
    ("get-vanilla", "GET", "/", {}, b"", "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-query", "GET", "/?", {}, b"", "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", {}, b"", "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-header-value-trim", "GET", "/", {"My-Header1": " value1", "My-Header2": '"a   b   c"'}, b"",
     "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ("post-vanilla", "POST", "/", {}, b"", "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-vanilla-query", "POST", "/?Param1=value1", {}, b"", "host;x-amz-date",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("post-header-key-sort", "POST", "/", {"My-Header1": "value1"}, b"", "host;my-header1;x-amz-date",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    ("post-x-www-form-urlencoded", "POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
     b"Param1=value1", "content-type;host;x-amz-date",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
]


@pytest.mark.parametrize("name,method,target,headers,body,signed_headers,signature", VECTORS,
                         ids=[v[0] for v in VECTORS])
def test_published_vector(name: str, method: str, target: str, headers: dict[str, str], body: bytes,
                          signed_headers: str, signature: str) -> None:
    got = sign(method, target, headers, body)
    assert got.authorization == (f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20150830/us-east-1/service/aws4_request, "
                                 f"SignedHeaders={signed_headers}, Signature={signature}")
    assert got.headers["Authorization"] == got.authorization
    assert got.headers["X-Amz-Date"] == DATE


def test_get_vanilla_canonical_request_and_string_to_sign() -> None:
    got = sign("GET", "/")
    assert got.canonical_request == ("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                                     f"host;x-amz-date\n{EMPTY}")
    assert got.string_to_sign == ("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                                  "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")


def test_post_vanilla_query_string_to_sign() -> None:
    got = sign("POST", "/?Param1=value1")
    assert got.canonical_request == ("POST\n/\nParam1=value1\nhost:example.amazonaws.com\n"
                                     f"x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY}")
    assert got.string_to_sign.endswith("9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd")


def test_post_form_canonical_request_and_string_to_sign() -> None:
    got = sign("POST", "/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Param1=value1")
    assert got.canonical_request == (
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
    assert got.string_to_sign.endswith("42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")


def test_documented_iam_signing_key_and_list_users_example() -> None:
    key = aws_sigv4.signing_key(SECRET, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    got = sign("GET", "/?Action=ListUsers&Version=2010-05-08",
               {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
               host="https://iam.amazonaws.com", service="iam")
    assert got.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"


def test_a_session_token_is_signed_and_sent() -> None:
    got = aws_sigv4.sign("POST", HOST + "/", {}, b"", access_key_id=KEY_ID, secret_key=SECRET, region="us-east-1",
                         service="service", amz_date=DATE, session_token="session")
    assert got.headers["X-Amz-Security-Token"] == "session"
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token," in got.authorization
    assert got.signature != sign("POST", "/").signature


def test_the_host_header_carries_a_non_default_port_and_the_secret_never_leaves() -> None:
    got = aws_sigv4.sign("POST", "http://127.0.0.1:8123/", {}, b"", access_key_id=KEY_ID, secret_key=SECRET,
                         region="us-east-1", service="sts", amz_date=DATE)
    assert "host:127.0.0.1:8123\n" in got.canonical_request
    assert aws_sigv4.host_header("https://sts.amazonaws.com:443/") == "sts.amazonaws.com"
    assert SECRET not in repr(got)
