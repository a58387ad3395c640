/* gencsv.c — writes a member import file for the import benchmark: N rows under the template's
 * Chinese headers, with valid, unique 身份证号 (GB 11643 check character), spread over the org ids
 * given in a file (one per line). Deterministic. CSV (UTF-8), or .xlsx with libxlsxwriter when the
 * output name ends in .xlsx.
 *
 *   gencsv N ORG_IDS_FILE OUT.csv|OUT.xlsx
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static uint64_t s = 0x853C49E6748FEA9BULL;
static uint64_t rnd(void)
{
	uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}
static int pick(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

/* ISO 7064 MOD 11-2 over the first 17 digits. */
static char check_char(const char *d)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (d[i] - '0') * w[i];
	return "10X98765432"[sum % 11];
}

static const char *const surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙" };
static const char *const given[] = { "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "建国", "秀英" };
static const char *const edu[] = { "大学本科", "大学专科", "普通高中", "初中", "研究生（硕士）", "21", "31", "71" };
static const char *const occ[] = { "农牧渔民", "工人（工勤技能人员）", "党政机关工作人员", "离退休人员", "farmer" };
static const char *const header[] = { "所属党组织", "姓名", "身份证号", "民族", "学历", "职业",
				      "人员类别", "入党日期", "转正日期", "联系电话", "工作单位" };
#define NCOL (sizeof(header) / sizeof(header[0]))
static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gencsv N ORG_IDS_FILE OUT.csv|OUT.xlsx\n");
		return 2;
	}
	long n = strtol(argv[1], NULL, 10);
	FILE *f = fopen(argv[2], "r");
	long *orgs = NULL, norgs = 0, cap = 0, id;
	if (!f)
		return perror(argv[2]), 1;
	while (fscanf(f, "%ld", &id) == 1) {
		if (norgs == cap)
			orgs = realloc(orgs, (size_t)(cap = cap ? cap * 2 : 1024) * sizeof(*orgs));
		orgs[norgs++] = id;
	}
	fclose(f);
	if (!norgs || n < 1)
		return fprintf(stderr, "no org ids\n"), 1;
	size_t ol = strlen(argv[3]);
	int xlsx = ol > 5 && strcmp(argv[3] + ol - 5, ".xlsx") == 0;
	FILE *out = NULL;
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws = NULL;
	if (xlsx) {
		lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
		wb = workbook_new_opt(argv[3], &opt);
		ws = wb ? workbook_add_worksheet(wb, "党员信息") : NULL;
		if (!ws)
			return fprintf(stderr, "cannot create %s\n", argv[3]), 1;
		for (size_t c = 0; c < NCOL; c++)
			worksheet_write_string(ws, 0, (lxw_col_t)c, header[c], NULL);
	} else {
		out = fopen(argv[3], "w");
		if (!out)
			return perror(argv[3]), 1;
		for (size_t c = 0; c < NCOL; c++)
			fprintf(out, "%s%s", c ? "," : "", header[c]);
		fputs("\r\n", out);
	}
	/* Unique 身份证号: region 5301KK + birth date + sequence (odd for men); i walks (day, sequence) pairs so no two
	 * rows share a number (60 years of birth days × 999 sequences per region). */
	for (long i = 0; i < n; i++) {
		long per_region = 999L * 21900, r = i / per_region, k = i % per_region;
		long day = k % 21900, seq = k / 21900 + 1;
		int y = 1940 + (int)(day / 365), yd = (int)(day % 365), m = 0;
		while (yd >= mdays[m])
			yd -= mdays[m++];
		char idn[32], cells[NCOL][64];
		snprintf(idn, sizeof(idn), "53%02ld%02ld%04d%02d%02d%03ld", 1 + r / 90 % 90, 1 + r % 90, y, m + 1, yd + 1, seq);
		idn[17] = check_char(idn);
		idn[18] = '\0';
		int male = seq % 2;
		int jy = y + 19 + pick(40);
		if (jy > 2024)
			jy = 2024;
		int probationary = jy == 2024 && pick(3) == 0;
		snprintf(cells[0], 64, "%ld", orgs[i % norgs]);
		snprintf(cells[1], 64, "%s%s", surnames[pick(12)], given[pick(14)]);
		snprintf(cells[2], 64, "%s", idn);
		snprintf(cells[3], 64, "%s", pick(10) ? "汉族" : "01");
		snprintf(cells[4], 64, "%s", edu[pick(8)]);
		snprintf(cells[5], 64, "%s", occ[pick(5)]);
		snprintf(cells[6], 64, "%s", probationary ? "预备党员" : "正式党员");
		snprintf(cells[7], 64, "%04d-%02d-%02d", jy, 1 + pick(6), 1 + pick(28));
		snprintf(cells[8], 64, "%s", "");
		if (!probationary)
			snprintf(cells[8], 64, "%04d/%d/%d", jy + 1, 7 + pick(6), 1 + pick(28));
		snprintf(cells[9], 64, "1%d%09d", 3 + male + pick(5), pick(1000000000));
		snprintf(cells[10], 64, "%s", pick(4) ? "" : "某某有限公司");
		for (size_t c = 0; c < NCOL; c++) {
			if (xlsx) {
				if (cells[c][0])
					worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, cells[c], NULL);
			} else {
				fprintf(out, "%s%s", c ? "," : "", cells[c]);
			}
		}
		if (!xlsx)
			fputs("\r\n", out);
	}
	if (xlsx)
		return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
	return fclose(out) == 0 ? 0 : 1;
}
