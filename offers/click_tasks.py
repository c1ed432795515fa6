"""Tasks for click-outs (batch insert of buffered clicks, counter flush)."""
