"""A Jinja file loader that reads only inside its own folders (issue 20).

Jinja's FileSystemLoader refuses `..` in a template name but follows a symbolic link
wherever it points; a template folder from a stranger could hold `header.j2 -> /etc/passwd`
and `{% include %}` it. This loader resolves the file it found and refuses it when the
result lies outside the folder it was found in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound
from jinja2.loaders import split_template_path

from generator.errors import TemplateError
from generator.spec.file_safety import inside


class ContainedLoader(FileSystemLoader):
    def get_source(self, environment: Any, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if not os.path.isfile(candidate):
                continue
            if not inside(Path(folder), candidate):
                raise TemplateError(f"a link that leaves the template folder {folder}",
                                    where=str(candidate),
                                    hint="copy the file into the folder instead")
            return super().get_source(environment, template)
        raise TemplateNotFound(template)
