#include <iostream>
#include <string>
#include <algorithm>
using namespace std;
int main() {
    unsigned long long n;
    int k;
    cin >> n >> k;
    const char *digits = "0123456789ABCDEF";
    string s;
    if (n == 0) s = "0";
    while (n > 0) {
        s += digits[n % k];
        n /= k;
    }
    reverse(s.begin(), s.end());
    cout << s << "\n";
    return 0;
}
