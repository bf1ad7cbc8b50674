# Burmese, after CLDR: year first, the Burmese comma (၊) after the year, 24-hour clock.
DATE_FORMAT = "Y၊ F j"
DATETIME_FORMAT = "Y၊ F j၊ H:i"
SHORT_DATE_FORMAT = "j/n/Y"
SHORT_DATETIME_FORMAT = "j/n/Y၊ H:i"
YEAR_MONTH_FORMAT = "Y၊ F"
MONTH_DAY_FORMAT = "F j"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 0
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
