/* csv: a streaming RFC 4180 reader (H2 fills this in). */
#ifndef CORE_CSV_H
#define CORE_CSV_H
#endif
