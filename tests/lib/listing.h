/* Listings of lsof and of sqlsof in lsof mode, as lines that compare column for column. */
#ifndef SQLSOF_LISTING_H
#define SQLSOF_LISTING_H

/*
** LISTING's lines (of process ONLYPID, 0: all) as sorted "FD|TYPE|DEVICE|SIZE/OFF|NODE|NAME"
** (malloc'd): the columns before NAME are words, NAME starts under its title, trailing blanks
** dropped. A unix socket's DEVICE is left out: lsof's is the kernel address, sqlsof's is blank.
*/
char *listingColumns(const char *listing, int onlyPid);

#endif
