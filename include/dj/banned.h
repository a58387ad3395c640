/* banned.h — calls that are easy to misuse; using one is a compile error (see STYLE.md §6). */
#ifndef DJ_BANNED_H
#define DJ_BANNED_H

#define DJ_BANNED(func) sorry_##func##_is_banned_use_the_safe_alternative

#undef strcpy
#define strcpy(x, y) DJ_BANNED(strcpy)
#undef strcat
#define strcat(x, y) DJ_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) DJ_BANNED(strncpy)
#undef sprintf
#define sprintf(...) DJ_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) DJ_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) DJ_BANNED(strtok)
#undef atoi
#define atoi(x) DJ_BANNED(atoi)
#undef atol
#define atol(x) DJ_BANNED(atol)
#undef gmtime
#define gmtime(x) DJ_BANNED(gmtime)
#undef localtime
#define localtime(x) DJ_BANNED(localtime)
#undef ctime
#define ctime(x) DJ_BANNED(ctime)

#endif
