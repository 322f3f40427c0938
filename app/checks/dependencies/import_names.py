"""Map import names to the distributions that provide them, and spot standard-library modules.

Most distributions are imported under their own normalised name (`import requests` comes from
`requests`, `import flask_cors` from `Flask-Cors`). The table below lists the ones that are not, and
several distributions where more than one provides a module (`cv2` from any OpenCV build). Keys are
import names, dotted when only a sub-package is meant (`google.protobuf`); values are distribution
names as published. Distribution names are compared after PEP 503 normalisation.
"""

from __future__ import annotations

import re
import sys

from app.checks.dependencies.requirements import normalize

IMPORT_TO_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "yaml": ("PyYAML",),
    "ruamel": ("ruamel.yaml",),
    "jwt": ("PyJWT",),
    "jose": ("python-jose",),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "PIL": ("Pillow", "PIL"),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "decouple": ("python-decouple",),
    "google.protobuf": ("protobuf",),
    "google.auth": ("google-auth",),
    "google.oauth2": ("google-auth",),
    "google.genai": ("google-genai",),
    "google.generativeai": ("google-generativeai",),
    "googleapiclient": ("google-api-python-client",),
    "grpc": ("grpcio",),
    "grpc_status": ("grpcio-status",),
    "grpc_tools": ("grpcio-tools",),
    "attr": ("attrs",),
    "magic": ("python-magic", "python-magic-bin"),
    "Crypto": ("pycryptodome", "pycrypto"),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyOpenSSL",),
    "nacl": ("PyNaCl",),
    "argon2": ("argon2-cffi",),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "git": ("GitPython",),
    "github": ("PyGithub",),
    "gitlab": ("python-gitlab",),
    "jenkins": ("python-jenkins",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "multipart": ("python-multipart", "multipart"),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg": ("psycopg", "psycopg-binary", "psycopg-c"),
    "MySQLdb": ("mysqlclient",),
    "mysql": ("mysql-connector-python",),
    "ldap": ("python-ldap",),
    "dns": ("dnspython",),
    "gi": ("PyGObject",),
    "wx": ("wxPython",),
    "zmq": ("pyzmq",),
    "mpl_toolkits": ("matplotlib",),
    "pkg_resources": ("setuptools",),
    "_pytest": ("pytest",),
    "xdist": ("pytest-xdist",),
    "slugify": ("python-slugify",),
    "telegram": ("python-telegram-bot",),
    "telebot": ("pyTelegramBotAPI",),
    "discord": ("discord.py",),
    "Levenshtein": ("python-Levenshtein", "Levenshtein"),
    "fitz": ("PyMuPDF",),
    "pdfminer": ("pdfminer.six", "pdfminer"),
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "win32com": ("pywin32",),
    "win32gui": ("pywin32",),
    "pywintypes": ("pywin32",),
    "pythoncom": ("pywin32",),
    "rest_framework": ("djangorestframework",),
    "rest_framework_simplejwt": ("djangorestframework-simplejwt",),
    "environ": ("django-environ",),
    "corsheaders": ("django-cors-headers",),
    "debug_toolbar": ("django-debug-toolbar",),
    "django_filters": ("django-filter",),
    "crispy_forms": ("django-crispy-forms",),
    "storages": ("django-storages",),
    "allauth": ("django-allauth",),
    "taggit": ("django-taggit",),
    "mptt": ("django-mptt",),
    "websocket": ("websocket-client",),
    "socketio": ("python-socketio",),
    "engineio": ("python-engineio",),
    "kafka": ("kafka-python", "kafka-python-ng"),
    "OpenGL": ("PyOpenGL",),
    "Bio": ("biopython",),
    "factory": ("factory-boy",),
    "pyximport": ("Cython",),
    "snappy": ("python-snappy",),
    "hamcrest": ("PyHamcrest",),
    "Xlib": ("python-xlib",),
    "umsgpack": ("u-msgpack-python",),
    "paho": ("paho-mqtt",),
    "memcache": ("python-memcached",),
    "daemon": ("python-daemon",),
    "pythonjsonlogger": ("python-json-logger",),
    "opentelemetry": ("opentelemetry-api", "opentelemetry-sdk"),
    "past": ("future",),
    "libfuturize": ("future",),
    "bson": ("pymongo",),
    "gridfs": ("pymongo",),
    "opensearchpy": ("opensearch-py",),
    "cassandra": ("cassandra-driver",),
    "snowflake": ("snowflake-connector-python",),
    "airflow": ("apache-airflow",),
    "osgeo": ("GDAL",),
    "RPi": ("RPi.GPIO",),
    "board": ("adafruit-blinka",),
    "busio": ("adafruit-blinka",),
    "digitalio": ("adafruit-blinka",),
    "barcode": ("python-barcode",),
    "odf": ("odfpy",),
    "igraph": ("igraph", "python-igraph"),
    "lark": ("lark", "lark-parser"),
    "antlr4": ("antlr4-python3-runtime",),
    "saml2": ("pysaml2",),
    "onelogin": ("python3-saml",),
    "gnupg": ("python-gnupg",),
    "nmap": ("python-nmap",),
    "whois": ("python-whois",),
    "slack": ("slackclient",),
    "speech_recognition": ("SpeechRecognition",),
    "vertexai": ("google-cloud-aiplatform",),
    "tortoise": ("tortoise-orm",),
    "impala": ("impyla",),
    "nats": ("nats-py",),
    "stomp": ("stomp.py",),
    "bluetooth": ("PyBluez",),
    "can": ("python-can",),
    "dbus": ("dbus-python",),
    "systemd": ("systemd-python",),
    "apt": ("python-apt",),
    "capnp": ("pycapnp",),
    "avro": ("avro", "avro-python3"),
    "_cffi_backend": ("cffi",),
    "torch": ("torch", "pytorch"),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "ffmpeg": ("ffmpeg-python",),
    "vlc": ("python-vlc",),
    "editor": ("python-editor",),
    "sentry_sdk": ("sentry-sdk",),
    "typing_extensions": ("typing-extensions",),
    "zope": ("zope.interface", "zope.event", "zope.component"),
    "markdown_it": ("markdown-it-py",),
    "pkg_about": ("pkg-about",),
    "jwcrypto": ("jwcrypto",),
    "Image": ("Pillow",),
}

# Modules of Python 2's standard library, still seen in code that supports both (usually guarded).
PYTHON2_STDLIB = frozenset(
    {"__builtin__", "ConfigParser", "Queue", "StringIO", "cStringIO", "cPickle", "httplib", "urllib2", "urlparse",
     "HTMLParser", "Tkinter", "tkMessageBox", "commands", "thread", "SocketServer", "xmlrpclib", "cookielib",
     "Cookie", "htmlentitydefs", "exceptions", "sets", "md5", "sha", "anydbm", "dummy_thread", "repr", "copy_reg"}
)
# Modules newer Pythons added to the standard library than the one Verity runs on (3.14: `compression.zstd`,
# `annotationlib`); code imports them under a version check, with a backport for older Pythons.
NEWER_STDLIB = frozenset({"compression", "annotationlib"})
STDLIB = frozenset(sys.stdlib_module_names) | PYTHON2_STDLIB | NEWER_STDLIB | {"__future__", "__main__"}

# Prefixes and suffixes a distribution name often adds to its import name (`python-foo`, `foo-client`).
_NAME_AFFIXES = ("python-", "py-", "py", "django-", "flask-")
_NAME_SUFFIXES = ("-python", "-py", "-client", "-sdk", "-binary")
_API_VERSION = re.compile(r"_v\d+(?:[a-z]+\d*)*$")  # `_v3`, `_v1beta1`, `_v1p1beta1`


def is_stdlib(module: str) -> bool:
    """Return whether a dotted module belongs to the standard library."""
    return module.split(".", 1)[0] in STDLIB


def distribution_candidates(module: str) -> set[str]:
    """Return the normalised distributions that may provide a dotted module (generous: never misses one)."""
    parts = module.split(".")
    found: set[str] = set()
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        found.update(normalize(d) for d in IMPORT_TO_DISTRIBUTIONS.get(prefix, ()))
        found.add(normalize(prefix))
        # A versioned API module is its distribution's (`google.cloud.monitoring_v3`: google-cloud-monitoring).
        found.add(normalize(_API_VERSION.sub("", prefix)))
    top = normalize(parts[0])
    found.update(affix + top for affix in _NAME_AFFIXES)
    found.update(top + suffix for suffix in _NAME_SUFFIXES)
    return found
