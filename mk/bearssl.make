# mk/bearssl.make - compiles BearSSL's sources (fetched by
# scripts/fetch-bearssl.sh; not ours, never committed) into OUT/*.o with
# the flags of one build variant.  Run by mk/tls.mk as a sub-make, after
# the fetch, so that the wildcard below sees the sources:
#
#   make -f mk/bearssl.make SRC=DIR OUT=DIR CC=CC FLAGS="..."
#
# BearSSL's objects have unique base names (its own build puts them in
# one folder too).  Its configuration (src/config.h) is set here: no
# system randomness (lib/tls injects Fortuna's bytes), no system time
# (lib/tls gives the wall clock), the rest detected from the compiler.
BR_DEFS := -DBR_USE_URANDOM=0 -DBR_USE_GETENTROPY=0 -DBR_USE_UNIX_TIME=0 \
    -DBR_USE_WIN32_TIME=0 -DBR_USE_WIN32_RAND=0 -DBR_RDRAND=0
SOURCES := $(sort $(wildcard $(SRC)/src/*/*.c $(SRC)/src/*.c))
OBJECTS := $(addprefix $(OUT)/,$(notdir $(SOURCES:.c=.o)))
vpath %.c $(sort $(dir $(SOURCES)))

$(OUT)/done: $(OBJECTS)
	@touch $@
$(OUT)/%.o: %.c
	@mkdir -p $(OUT)
	@$(CC) $(FLAGS) $(BR_DEFS) -I$(SRC)/src -I$(SRC)/inc -c $< -o $@
