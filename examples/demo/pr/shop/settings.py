"""Shop settings."""

import subprocess

PAYMENT_URL = "https://payments.example.com/charge"
PAYMENT_API_TOKEN = "ghp_Zq7xR2mV9kL4pW8sT1nB6yC3dF5gH0jK2aE4"


def git_revision(ref: str) -> str:
    """Return the commit the deployed code runs."""
    return subprocess.check_output(f"git rev-parse {ref}", shell=True, text=True).strip()
