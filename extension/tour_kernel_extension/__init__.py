"""The tutorial site's kernel as a prebuilt JupyterLab/JupyterLite extension.

Installing this package puts the built extension in share/jupyter/labextensions/, where
`jupyter lite build` finds it like any other federated extension. Its source is the
TypeScript in ../src/ (built by `npm run build`, which pip's build runs).
"""


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@python-in-the-browser/tour-kernel"}]
