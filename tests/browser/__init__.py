"""End-to-end tests of the workshop widgets in headless Chromium against a real JupyterLab."""
