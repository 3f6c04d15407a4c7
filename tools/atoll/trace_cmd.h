/*
 * tools/atoll/trace_cmd.h - `atoll trace view|summary TRACE.json`: a trace
 * written by a unikernel's --trace=FILE, as one self-contained HTML page
 * or as a text summary (trace_cmd.c).
 */
#ifndef ATOLL_TOOL_TRACE_CMD_H
#define ATOLL_TOOL_TRACE_CMD_H

extern const char trace_cmd_help[];
int cmd_trace(int argc, char **argv);

#endif
