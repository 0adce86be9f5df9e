/* h_import.c: CSV import and export (placeholder until csv_import lands). */
#include "handlers.h"
#include "hutil.h"

int h_import(struct hctx *h)
{
	return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "import is not available yet");
}

int h_export(struct hctx *h)
{
	return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "export is not available yet");
}
