"""Big exports as background jobs (导出任务).

An export of more rows than `EXPORT_SYNC_MAX_ROWS` (20,000) is not streamed to the browser: the view asks
`services.request_export()` for an `ExportJob`, the worker (`manage.py worker`, Django's tasks API) runs it with
`services.run_export()`, which writes the same sheet as the page would have streamed — `registry.sheet_for()`
calls the export's one sheet function as the requester, so the same scope and masking apply — and counts the rows
done as it goes. The job's page polls that progress (htmx) and offers the file once it is ready. A job is its
requester's alone (anyone else: 404) and is kept `EXPORT_KEEP_HOURS` (24 h): `manage.py purge_exports`, run by
the worker every hour, deletes the files of expired jobs. States move through `transition()` (one event each,
subject "export").
"""
