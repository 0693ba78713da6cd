"""The build engine: which documents to make, which are already current, and making them.

plan.py     a request (documents x languages x formats) expanded into jobs with output paths
record.py   what each output was built from (`build/.record.json`): the incremental build
workers.py  long-lived render processes, one per core, each writing atomically
lifeline.py child processes (workers, LibreOffice) that die with the process that started them
run.py      load -> validate -> compose -> plan -> render -> write, one failure never stops the rest;
            the formats of a document written together

May import `pipeline.render`, `pipeline.content`, `pipeline.files`, `pipeline.errors`,
`pipeline.paths`; never translations, release, preview or cli.
"""
