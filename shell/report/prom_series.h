/*
** Series that repeat in a metric's samples, merged into one by the metric's rule: node_exporter
** refuses a textfile with a repeated series, so without this one hostile row (two process names
** that become the same label value once made valid UTF-8) would cost the whole metric family.
*/
#ifndef SQLSOF_PROM_SERIES_H
#define SQLSOF_PROM_SERIES_H

#include <stddef.h>

/* How a metric's rows of one series become one sample: `-- merge: sum|max|min` before its
 * SELECT; sum when not said (counts and bytes add up). */
enum prom_merge { PROM_MERGE_SUM, PROM_MERGE_MAX, PROM_MERGE_MIN };

/* The rule named by WORD (the text after the merge mark), or -1 for none of them. */
int promMergeRule(const char *word);

/* The name of RULE. */
const char *promMergeRuleName(enum prom_merge rule);

/*
** SAMPLES (LEN bytes of sample lines, `series value\n`) with each series that appears more than
** once written once, where it first appears, with the values merged by RULE; the other lines
** as they are. *OUT is the new text (malloc'd, *OUT_LEN bytes). Returns how many lines were
** merged away (0: *OUT is a copy), or -1 without memory.
*/
long promMergeSeries(const char *samples, size_t len, enum prom_merge rule, char **out,
                     size_t *outLen);

#endif
