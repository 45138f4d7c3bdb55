#include "common/error.hpp"
#include "delta/typed_errors.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace deltaduck {

namespace {

//! The type and message of what `throw_it` throws once it passed the Delta boundary.
std::pair<ErrorType, std::string> AtBoundary(const std::function<void()> &throw_it) {
	try {
		delta::WithTypedErrors("/lake/t", throw_it);
	} catch (const Error &e) {
		return {e.Type(), e.what()};
	}
	ADD_FAILURE() << "nothing typed was thrown";
	return {ErrorType::INTERNAL, ""};
}

} // namespace

TEST(TypedErrors, StandardFailuresBecomeOurTypesNamingTheTable) {
	auto file = AtBoundary([] {
		throw std::filesystem::filesystem_error("rename", "/lake/t/a", std::make_error_code(std::errc::io_error));
	});
	EXPECT_EQ(file.first, ErrorType::IO);
	EXPECT_NE(file.second.find("/lake/t/a"), std::string::npos) << file.second;
	EXPECT_NE(file.second.find("Delta table /lake/t"), std::string::npos) << file.second;
	EXPECT_EQ(AtBoundary([] { auto parsed = nlohmann::json::parse("{"); }).first, ErrorType::CORRUPT);
	EXPECT_EQ(AtBoundary([] { (void)std::stoll("x"); }).first, ErrorType::CORRUPT);
	EXPECT_EQ(AtBoundary([] { (void)std::stoll("99999999999999999999"); }).first, ErrorType::CORRUPT);
	EXPECT_EQ(AtBoundary([] { throw std::bad_alloc(); }).first, ErrorType::OUT_OF_MEMORY);
	EXPECT_EQ(AtBoundary([] { throw std::logic_error("bug"); }).first, ErrorType::INTERNAL);
	// Ours pass unchanged.
	auto ours = AtBoundary([] { throw ConflictError("lost the race"); });
	EXPECT_EQ(ours.first, ErrorType::CONFLICT);
	EXPECT_EQ(ours.second, "lost the race");
}

TEST(TypedErrors, ValuesPassThrough) {
	EXPECT_EQ(delta::WithTypedErrors("/lake/t", [] { return 42; }), 42);
}

} // namespace deltaduck
